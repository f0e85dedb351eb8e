import ChainModel
import Governance
import Rollout

/// The platform's own copy of what node routing depends on (claim 6): the node fleet and the node
/// routing policy, taken from the state at open and kept from committed blocks' events, the way the
/// engine keeps its permission registry. The chain refuses a transaction routed by anything else.
struct NodeRoutingTable {
    private(set) var fleet: [NodeRecord]
    private(set) var policy: RoutingPolicy
    /// The last block whose events the table has seen.
    private(set) var height: UInt64

    init(fleet: [NodeRecord], policy: RoutingPolicy, height: UInt64) {
        self.fleet = fleet
        self.policy = policy
        self.height = height
    }

    mutating func record(_ block: Block) {
        for recorded in block.events {
            guard case let .governance(event) = recorded.event else { continue }
            switch event {
            case let .routingChanged(proposal, ManagementOperation.nodesTarget, stage, old, new, pre, gray, prod):
                // A policy back at no stage routes nothing anywhere new and names no proposal, as the chain keeps it.
                policy = RoutingPolicy(old: old, new: stage == .none ? nil : new, stage: stage, prerelease: pre, gray: gray,
                                       production: prod, proposal: stage == .none ? 0 : proposal)
            case let .nodeLogicChanged(node, logic, _):
                if let i = fleet.firstIndex(where: { $0.name == node }) { fleet[i].logic = logic }
            case let .nodeAvailabilityChanged(node, online, _):
                if let i = fleet.firstIndex(where: { $0.name == node }) { fleet[i].online = online }
            default:
                break
            }
        }
        height = block.height
    }

    func node(for tx: Transaction) -> String {
        NodeRouting.node(for: tx, fleet: fleet, policy: policy)
    }
}
