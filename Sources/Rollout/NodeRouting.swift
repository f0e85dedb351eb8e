import ChainPrimitives

/// Decides which node of the fleet admits a transaction (claim 6). Every choice is a function of the
/// transaction id, so any platform replica, and the chain checking it, routes it to the same node.
public protocol NodeRouter: Sendable {
    func route(_ id: Hash256, lane: Lane, fleet: [NodeRecord], policy: RoutingPolicy) -> String
}

/// Sends each lane's share of transactions to nodes running the new logic and the rest to nodes running
/// the old logic, spreading evenly within each group. When no node runs the version a transaction is
/// routed to, the whole fleet takes it rather than nobody.
public struct LogicVersionRouter: NodeRouter {
    public init() {}

    public func route(_ id: Hash256, lane: Lane, fleet: [NodeRecord], policy: RoutingPolicy) -> String {
        let version = policy.version(for: id, lane: lane)
        let group = fleet.filter { $0.logic == version }
        let candidates = group.isEmpty ? fleet : group
        let spread = id.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return candidates[Int(spread % UInt64(candidates.count))].name
    }
}
