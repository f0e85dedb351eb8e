import ClusterOrdering
import Logging

/// How an engine joins a consortium whose engines keep one ledger through etcd: the node it runs (its
/// data directory holds that node's key, from `govconsole join`) and etcd's client endpoints.
public struct ClusterSettings: Sendable {
    public let node: String
    public let etcd: [String]
    /// The largest block placed in one etcd entry: lower it for an etcd run with a smaller
    /// `--max-request-bytes` than its default 1.5 MiB.
    public let maxEntryBytes: Int
    /// Where this engine takes the transactions other engines forward while it seals, and where they
    /// reach it: an address the other engines' machines can reach. Port 0 takes any free port, which
    /// suits engines on one machine.
    public let peerHost: String
    public let peerPort: Int
    /// How many entries of the order the sealer keeps in etcd behind its position; older ones are
    /// deleted once every engine present has taken them, and an engine that needs them later takes
    /// their blocks from a peer.
    public let retainEntries: Int
    /// Where refused entries and divergence are reported: `serve` passes its own log.
    public let logger: Logger

    public init(node: String, etcd: [String], maxEntryBytes: Int = ClusterNode.defaultMaxEntryBytes,
                peerHost: String = "127.0.0.1", peerPort: Int = 0, retainEntries: Int = ClusterNode.defaultRetainEntries,
                logger: Logger = Logger(label: "govconsole.cluster")) {
        self.retainEntries = retainEntries
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.node = node
        self.etcd = etcd
        self.maxEntryBytes = maxEntryBytes
        self.logger = logger
    }
}
