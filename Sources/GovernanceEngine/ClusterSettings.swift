/// How an engine joins a consortium whose engines keep one ledger through etcd: the node it runs (its
/// data directory holds that node's key, from `govconsole join`) and etcd's client endpoints.
public struct ClusterSettings: Sendable, Equatable {
    public let node: String
    public let etcd: [String]

    public init(node: String, etcd: [String]) {
        self.node = node
        self.etcd = etcd
    }
}
