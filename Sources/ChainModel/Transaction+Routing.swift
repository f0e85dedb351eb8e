import Rollout

extension NodeRouting {
    /// The node that admits `tx`: routing reads only its id and lane.
    public static func node(for tx: Transaction, fleet: [NodeRecord], policy: RoutingPolicy) -> String {
        node(for: tx.id, lane: tx.lane, fleet: fleet, policy: policy)
    }
}
