import ChainModel
import ChainPrimitives
import EmbeddedChain
import Governance
import GovernanceAPI
import Rollout
import ServicePlatform

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
                                                      transactions: $0.transactionsHandled, online: $0.online) },
                stats: Dictionary(uniqueKeysWithValues: Set(s.nodes.map(\.logic)).union(s.management.nodeStats.keys).map { logic in
                    // Processing time is measured by the process that processed the transactions, so a fresh
                    // CLI process has none to report.
                    (logic, VersionStats(s.management.nodeStats[logic] ?? RolloutStats(), micros: processing[logic]?.meanMicroseconds, isNode: true))
                })),
            gate: GateView(margin: s.management.policy.gate.margin.value, minCalls: s.management.policy.gate.minCalls, window: RolloutStats.window))
    }
}
