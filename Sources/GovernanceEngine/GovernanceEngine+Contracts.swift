import EmbeddedChain
import Foundation

// The routing policies of target contracts and of the node fleet, with their rollout statistics.
extension GovernanceEngine {
    public func routing() async -> RoutingView {
        let s = await platform.state()
        let processing = await platform.processing()
        return RoutingView(
            contracts: s.management.contracts.values.sorted { $0.name < $1.name }.map { c in
                RoutingView.Contract(
                    name: c.name, versions: c.versions, old: c.routing.old, new: c.routing.new, stage: c.routing.stage.rawValue,
                    lanes: LanesView(c.routing), proposal: c.routing.proposal == 0 ? nil : c.routing.proposal,
                    stats: Dictionary(uniqueKeysWithValues: c.versions.map { ($0, VersionStats(c.stats[$0] ?? RolloutStats(), micros: nil)) }))
            },
            nodes: RoutingView.Nodes(
                old: s.management.nodeRouting.old, new: s.management.nodeRouting.new, stage: s.management.nodeRouting.stage.rawValue,
                lanes: LanesView(s.management.nodeRouting),
                proposal: s.management.nodeRouting.proposal == 0 ? nil : s.management.nodeRouting.proposal,
                fleet: s.nodes.map { RoutingView.Node(name: $0.name, logic: $0.logic, faultRate: Ratio(ppm: $0.faultRate)!.value,
                                                      transactions: $0.transactionsHandled) },
                stats: Dictionary(uniqueKeysWithValues: Set(s.nodes.map(\.logic)).union(s.management.nodeStats.keys).map { logic in
                    // Processing time is measured by the process that processed the transactions, so a fresh
                    // CLI process has none to report.
                    (logic, VersionStats(s.management.nodeStats[logic] ?? RolloutStats(), micros: processing[logic]?.meanMicroseconds, isNode: true))
                })),
            gate: GateView(margin: s.management.policy.gate.margin.value, minCalls: s.management.policy.gate.minCalls, window: RolloutStats.window))
    }
}

public struct CallResult: Codable, Sendable {
    public let tx: String
    public let ok: Bool
    public let contract: String
    public let function: String
    public let version: String
    public let node: String
    public let logic: String
    public let fuel: UInt64
    public let result: String?
    public let error: String?

    init(_ tx: Transaction, _ r: Receipt) {
        self.tx = tx.id.hex
        ok = r.ok
        contract = r.call?.contract ?? ""
        function = r.call?.function ?? ""
        version = r.call?.version ?? ""
        node = r.node
        logic = r.logic
        fuel = r.call?.fuel ?? 0
        result = r.call?.result
        error = r.error
    }
}

/// Percent routed to the new version, per lane.
public struct LanesView: Codable, Sendable, Hashable {
    public let prerelease: UInt8
    public let gray: UInt8
    public let production: UInt8

    init(_ r: RoutingPolicy) {
        prerelease = r.prerelease
        gray = r.gray
        production = r.production
    }

    public subscript(lane: Lane) -> UInt8 {
        switch lane {
        case .prerelease: prerelease
        case .gray: gray
        case .production: production
        }
    }
}

/// A version's record over the statistics window, and since it was deployed.
public struct VersionStats: Codable, Sendable, Hashable {
    public let calls: UInt64
    public let failures: UInt64
    public let failureRate: Double
    /// Mean fuel per call (contracts).
    public let meanFuel: UInt64?
    /// Mean processing time per transaction in microseconds (node logic), measured by this process.
    public let meanMicros: UInt64?
    public let totalCalls: UInt64
    public let totalFailures: UInt64

    init(_ s: RolloutStats, micros: UInt64?, isNode: Bool = false) {
        calls = s.calls
        failures = s.failures
        failureRate = Double(s.failurePPM) / 1_000_000
        meanFuel = isNode ? nil : s.meanCost
        meanMicros = micros
        totalCalls = s.totalCalls
        totalFailures = s.totalFailures
    }
}

public struct GateView: Codable, Sendable {
    public let margin: Double
    public let minCalls: UInt64
    public let window: Int
}

public struct RoutingView: Codable, Sendable {
    public struct Contract: Codable, Sendable {
        public let name: String
        public let versions: [String]
        public let old: String
        public let new: String?
        public let stage: String
        public let lanes: LanesView
        /// The proposal that set the current stage.
        public let proposal: UInt64?
        public let stats: [String: VersionStats]
    }

    public struct Node: Codable, Sendable, Hashable {
        public let name: String
        public let logic: String
        public let faultRate: Double
        public let transactions: UInt64
    }

    public struct Nodes: Codable, Sendable {
        public let old: String
        public let new: String?
        public let stage: String
        public let lanes: LanesView
        public let proposal: UInt64?
        public let fleet: [Node]
        public let stats: [String: VersionStats]
    }

    public let contracts: [Contract]
    public let nodes: Nodes
    public let gate: GateView
}
