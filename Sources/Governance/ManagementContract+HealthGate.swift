import Rollout

// Claims 5 and 7: each served call feeds its version's statistics, and a failing rollout is rolled back.
extension ManagementContract {
    /// Records one call served by `version` of `contract`, then rolls the contract's lanes back if the
    /// new version now fails too often. The rollback acts under the pre-authorisation of the proposal that
    /// set the stage.
    package static func recordCall(contract: String, version: String, failed: Bool, fuel: UInt64, _ s: inout ManagementState) -> [GovernanceEvent] {
        s.contracts[contract]!.stats[version, default: RolloutStats()].record(failed: failed, cost: fuel)
        let c = s.contracts[contract]!
        guard let verdict = gateVerdict(c.routing, stats: c.stats, gate: s.policy.gate) else { return [] }
        let proposal = c.routing.proposal
        s.contracts[contract]!.routing = RoutingPolicy(old: c.routing.old)
        return [.rollbackTriggered(proposal: proposal, target: contract, automatic: true, reason: verdict),
                routingChanged(proposal, contract, s.contracts[contract]!.routing)]
    }

    /// The same for the node logic that processed a call.
    package static func recordNodeCall(logic: String, failed: Bool, _ s: inout ManagementState) -> [GovernanceEvent] {
        s.nodeStats[logic, default: RolloutStats()].record(failed: failed, cost: 0)
        guard let verdict = gateVerdict(s.nodeRouting, stats: s.nodeStats, gate: s.policy.gate) else { return [] }
        let proposal = s.nodeRouting.proposal
        s.nodeRouting = RoutingPolicy(old: s.nodeRouting.old)
        return [.rollbackTriggered(proposal: proposal, target: ManagementOperation.nodesTarget, automatic: true, reason: verdict),
                routingChanged(proposal, ManagementOperation.nodesTarget, s.nodeRouting)]
    }

    private static func gateVerdict(_ routing: RoutingPolicy, stats: [String: RolloutStats], gate: HealthGate) -> String? {
        // Only a rollout in progress, not one completed, is watched: the old version must still be serving.
        guard routing.stage != .none, !routing.isComplete, let new = routing.new else { return nil }
        return gate.verdict(old: stats[routing.old] ?? RolloutStats(), new: stats[new] ?? RolloutStats(),
                            oldVersion: routing.old, newVersion: new)
    }
}
