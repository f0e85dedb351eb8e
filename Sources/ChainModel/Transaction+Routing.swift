import Rollout

extension NodeRouter {
    /// The node that admits `tx`: routing reads only its id and lane.
    public func route(_ tx: Transaction, fleet: [NodeRecord], policy: RoutingPolicy) -> String {
        route(tx.id, lane: tx.lane, fleet: fleet, policy: policy)
    }
}
