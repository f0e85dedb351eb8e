import Foundation

/// An engine that keeps the ledger with other organisations' engines, ordering through etcd: what it
/// knows of the others and of etcd. Part of `status`; nil for an engine on its own.
public struct ClusterView: Codable, Sendable, Equatable {
    /// The node this engine signs blocks as.
    public let node: String
    /// The last entry of the order this engine has taken.
    public let position: UInt64
    /// Every engine that announced itself in etcd recently, this one included, by node.
    public let engines: [EngineView]
    /// Each etcd endpoint this engine was given, and what it answered.
    public let etcd: [EtcdMemberView]
    /// The endpoint of etcd's leader, if any member named one.
    public let leader: String?
    /// Whether every engine that has passed a checkpoint shows the same state root for it.
    public let checkpointsAgree: Bool
    /// Entries of the order that were not blocks of this chain (forged, malformed, replayed), and the last.
    public let refusedEntries: Int
    public let lastRefused: String?
    /// Why this engine accepts no writes now, if it does not: etcd unreachable, a block in doubt, or a
    /// state that differs from the other engines'.
    public let problem: String?
    /// The node whose engine seals the consortium's blocks, the others forwarding their transactions to
    /// it; nil while none holds the seat (each engine then seals its own).
    public let sealer: String?
    /// Why this engine seals its own transactions though another holds the seat: the last forward failed.
    public let forwardingProblem: String?

    public init(node: String, position: UInt64, engines: [EngineView], etcd: [EtcdMemberView], leader: String?,
                checkpointsAgree: Bool, refusedEntries: Int, lastRefused: String?, problem: String?, sealer: String? = nil,
                forwardingProblem: String? = nil) {
        self.sealer = sealer
        self.forwardingProblem = forwardingProblem
        self.node = node
        self.position = position
        self.engines = engines
        self.etcd = etcd
        self.leader = leader
        self.checkpointsAgree = checkpointsAgree
        self.refusedEntries = refusedEntries
        self.lastRefused = lastRefused
        self.problem = problem
    }

    public struct EngineView: Codable, Sendable, Equatable {
        public let node: String
        public let height: UInt64
        public let head: String
        public let position: UInt64
        /// The last checkpoint this engine has passed and the state root it carries.
        public let checkpoint: UInt64
        public let checkpointRoot: String
        /// When the engine last announced itself.
        public let lastSeen: Date
        public let problem: String?

        public init(node: String, height: UInt64, head: String, position: UInt64, checkpoint: UInt64, checkpointRoot: String,
                    lastSeen: Date, problem: String?) {
            self.node = node
            self.height = height
            self.head = head
            self.position = position
            self.checkpoint = checkpoint
            self.checkpointRoot = checkpointRoot
            self.lastSeen = lastSeen
            self.problem = problem
        }
    }

    public struct EtcdMemberView: Codable, Sendable, Equatable {
        public let endpoint: String
        public let reachable: Bool
        public let isLeader: Bool
        public let error: String?

        public init(endpoint: String, reachable: Bool, isLeader: Bool, error: String?) {
            self.endpoint = endpoint
            self.reachable = reachable
            self.isLeader = isLeader
            self.error = error
        }
    }

    /// Engines whose checkpoint roots disagree at the same checkpoint: a fork, raised loudly.
    public static func agree(_ engines: [EngineView]) -> Bool {
        var roots: [UInt64: String] = [:]
        for e in engines where e.checkpoint > 0 {
            if let seen = roots[e.checkpoint], seen != e.checkpointRoot { return false }
            roots[e.checkpoint] = e.checkpointRoot
        }
        return true
    }
}
