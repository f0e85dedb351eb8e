import ClusterOrdering

/// How an engine joins a consortium whose engines keep one ledger through etcd: the node it runs (its
/// data directory holds that node's key, from `govconsole join`) and etcd's client endpoints.
public struct ClusterSettings: Sendable, Equatable {
    public let node: String
    public let etcd: [String]
    /// The largest block placed in one etcd entry: lower it for an etcd run with a smaller
    /// `--max-request-bytes` than its default 1.5 MiB.
    public let maxEntryBytes: Int

    public init(node: String, etcd: [String], maxEntryBytes: Int = ClusterNode.defaultMaxEntryBytes) {
        self.node = node
        self.etcd = etcd
        self.maxEntryBytes = maxEntryBytes
    }
}
