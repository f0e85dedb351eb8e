import ChainPrimitives
import Rollout

// The routing policies of target contracts and of the node fleet, with their rollout statistics, as
// the engine reports them.

/// Percent routed to the new version, per lane.
public struct LanesView: Codable, Sendable, Hashable {
    public let prerelease: UInt8
    public let gray: UInt8
    public let production: UInt8

    package init(_ r: RoutingPolicy) {
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

    package init(_ s: RolloutStats, micros: UInt64?, isNode: Bool = false) {
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

    package init(margin: Double, minCalls: UInt64, window: Int) {
        self.margin = margin
        self.minCalls = minCalls
        self.window = window
    }
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

        package init(name: String, versions: [String], old: String, new: String?, stage: String, lanes: LanesView,
                     proposal: UInt64?, stats: [String: VersionStats]) {
            self.name = name
            self.versions = versions
            self.old = old
            self.new = new
            self.stage = stage
            self.lanes = lanes
            self.proposal = proposal
            self.stats = stats
        }
    }

    public struct Node: Codable, Sendable, Hashable {
        public let name: String
        public let logic: String
        public let faultRate: Double
        public let transactions: UInt64
        /// False while the node is recorded down: no lane's traffic goes to it.
        public let online: Bool

        package init(name: String, logic: String, faultRate: Double, transactions: UInt64, online: Bool = true) {
            self.name = name
            self.logic = logic
            self.faultRate = faultRate
            self.transactions = transactions
            self.online = online
        }
    }

    public struct Nodes: Codable, Sendable {
        public let old: String
        public let new: String?
        public let stage: String
        public let lanes: LanesView
        public let proposal: UInt64?
        public let fleet: [Node]
        public let stats: [String: VersionStats]

        package init(old: String, new: String?, stage: String, lanes: LanesView, proposal: UInt64?, fleet: [Node],
                     stats: [String: VersionStats]) {
            self.old = old
            self.new = new
            self.stage = stage
            self.lanes = lanes
            self.proposal = proposal
            self.fleet = fleet
            self.stats = stats
        }
    }

    public let contracts: [Contract]
    public let nodes: Nodes
    public let gate: GateView

    package init(contracts: [Contract], nodes: Nodes, gate: GateView) {
        self.contracts = contracts
        self.nodes = nodes
        self.gate = gate
    }
}
