import ChainPrimitives

/// Which node of the fleet admits a transaction (claim 6): the one function the platform routes by and
/// the chain checks every sealed and replayed transaction against, so a ledger naming any other node is
/// refused. Every choice is a function of the transaction id, so any platform replica routes the same
/// transaction to the same node.
public enum NodeRouting {
    /// Sends each lane's share of transactions to nodes running the new logic and the rest to nodes
    /// running the old logic, spreading evenly within each group. When no node runs the version a
    /// transaction is routed to, the whole fleet takes it rather than nobody.
    public static func node(for id: Hash256, lane: Lane, fleet: [NodeRecord], policy: RoutingPolicy) -> String {
        let version = policy.version(for: id, lane: lane)
        let spread = id.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // Lazily: the producer and replay call this for every transaction, so it allocates nothing.
        let group = fleet.lazy.filter { $0.logic == version }
        let count = group.count
        guard count > 0 else { return fleet[Int(spread % UInt64(fleet.count))].name }
        return group.dropFirst(Int(spread % UInt64(count))).first!.name
    }
}
