import ChainPrimitives
import Rollout

/// The management contract's storage: identities, policy, proposals with their per-voter records, permissions.
public struct ManagementState: Sendable {
    public package(set) var policy: Policy
    /// Every identity the chain knows — admins, voters and nodes — by name.
    public package(set) var members: [String: Member] {
        didSet { electorateCache = nil }
    }
    /// The electorate as of the current membership, built once and shared by the proposals made under it.
    /// Derived, so not part of the encoded state.
    var electorateCache: Electorate?
    /// Proposal `id` lives at index `id - 1`; ids are never reused.
    public package(set) var proposals: [Proposal] = []
    public package(set) var permissions: [UInt64: Permission] = [:]
    var keyOwners: [PublicKey: String] = [:]
    /// Keys of removed members.
    public package(set) var retiredKeys: Set<PublicKey> = []
    var open: Set<UInt64> = []
    var openByProposer: [String: Int] = [:]
    var livePermissions: Set<UInt64> = []
    var nextRequest: UInt64 = 1
    /// Target contracts by name, and their code by hash (claim 4).
    public package(set) var contracts: [String: DeployedContract] = [:]
    public package(set) var code: [Hash256: [UInt8]] = [:]
    /// The platform's node routing policy between logic versions (claim 6), and each version's record.
    public package(set) var nodeRouting = RoutingPolicy(old: "v1")
    public package(set) var nodeStats: [String: RolloutStats] = [:]

    public init(policy: Policy, members: [Member]) {
        self.policy = policy
        self.members = Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0) })
        keyOwners = Dictionary(uniqueKeysWithValues: members.map { ($0.publicKey, $0.name) })
    }

    public func proposal(_ id: UInt64) -> Proposal? {
        guard id >= 1, id <= UInt64(proposals.count) else { return nil }
        return proposals[Int(id - 1)]
    }

    /// Members in a stable order: admins, then voters, then nodes, each by name.
    public func members(role: Role) -> [Member] {
        members.values.filter { $0.role == role }.sorted { $0.name < $1.name }
    }

    public var electorate: [Member] { members(role: .voter).filter { $0.weight > 0 } }

    /// The electorate a proposal made now snapshots.
    mutating func currentElectorate() -> Electorate {
        if let e = electorateCache { return e }
        let e = Electorate(electorate.map { Electorate.Seat(name: $0.name, key: $0.publicKey, weight: $0.weight) })
        electorateCache = e
        return e
    }
}
