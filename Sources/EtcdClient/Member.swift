/// One member of the cluster, as the member list names it.
public struct Member: Sendable, Hashable {
    public var id: UInt64
    public var name: String
    public var clientURLs: [String]
    public var peerURLs: [String]
}

/// What one endpoint said about itself, or why it could not be reached.
public struct MemberStatus: Sendable {
    public struct Report: Sendable, Hashable {
        public var memberID: UInt64
        /// nil when the member knows no leader (it has lost the quorum).
        public var leaderID: UInt64?
        public var raftTerm: UInt64
        /// The store's revision on this member.
        public var revision: Int64
        public var dbSize: Int64
        /// Problems the member reports, like "etcdserver: no leader".
        public var errors: [String]

        public var isLeader: Bool { leaderID == memberID }
    }

    public var endpoint: String
    public var report: Result<Report, EtcdError>

    /// The report, when the endpoint answered.
    public var answered: Report? { try? report.get() }
}
