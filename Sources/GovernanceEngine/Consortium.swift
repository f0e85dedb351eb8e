import ChainModel
import ChainPrimitives
import ContractRuntime
import Governance

/// Who a new chain starts with.
public struct Consortium: Sendable {
    public struct Seat: Sendable {
        public let name: String
        public let role: Role
        public let weight: UInt64
        public init(name: String, role: Role, weight: UInt64) {
            self.name = name
            self.role = role
            self.weight = weight
        }
    }

    public var name: String
    public var seats: [Seat]
    public var nodes: [Genesis.NodeSpec]
    public var policy: Policy
    /// Target contracts to deploy in genesis: name, then versions with their WAT or Wasm source.
    public var contracts: [(name: String, versions: [(version: String, source: String)])]

    public init(name: String, seats: [Seat], nodes: [Genesis.NodeSpec], policy: Policy = .default,
                contracts: [(name: String, versions: [(version: String, source: String)])] = []) {
        self.name = name
        self.seats = seats
        self.nodes = nodes
        self.policy = policy
        self.contracts = contracts
    }

    /// The demo: admin `ops`, five voters of weight 1, six nodes of which node-5 and node-6 already run
    /// logic v2, and `asset-ledger` v1 and v2 deployed with every lane on v1.
    public static func demo(policy: Policy = .default) throws -> Consortium {
        Consortium(
            name: "demo",
            seats: [Seat(name: "ops", role: .admin, weight: 0)]
                + ["alice", "bob", "carol", "dave", "erin"].map { Seat(name: $0, role: .voter, weight: 1) },
            nodes: (1...6).map { Genesis.NodeSpec(name: "node-\($0)", logic: $0 >= 5 ? "v2" : "v1") },
            policy: policy,
            contracts: [("asset-ledger", try DemoContracts.assetLedger())])
    }

    /// Why this consortium cannot start a chain, or nil.
    public var problem: String? {
        if let p = policy.problem { return p }
        guard seats.contains(where: { $0.role == .admin }) else { return "a consortium needs an admin to propose; pass --admin NAME" }
        guard seats.contains(where: { $0.role == .voter && $0.weight > 0 }) else {
            return "a consortium needs at least one voter; pass --voter NAME (or --demo)"
        }
        guard !nodes.isEmpty else { return "a consortium needs at least one node; pass --nodes N" }
        var seen = Set<String>()
        for name in seats.map(\.name) + nodes.map(\.name) {
            if let reason = Names.validate(name) { return reason }
            guard seen.insert(name).inserted else { return "the name '\(name)' is used twice" }
        }
        for s in seats where s.role == .voter && (s.weight < 1 || s.weight > Limits.maxWeight) {
            return "voter \(s.name) has weight \(s.weight); a weight must be 1 to \(Limits.maxWeight)"
        }
        return nil
    }
}
