import ChainPrimitives

/// Which node of the fleet admits a transaction (claim 6): the one function the platform routes by and
/// the chain checks every sealed and replayed transaction against, so a ledger naming any other node is
/// refused. Every choice is a function of the transaction id, so any platform replica routes the same
/// transaction to the same node.
public enum NodeRouting {
    /// Sends each lane's share of transactions to nodes running the new logic and the rest to nodes
    /// running the old logic, spreading evenly within each group, among the nodes that are up. When no
    /// node that is up runs the version a transaction is routed to, the nodes that are up take it (the
    /// policy's fallback), and when none is, the whole fleet: rather somebody than nobody.
    public static func node(for id: Hash256, lane: Lane, fleet: [NodeRecord], policy: RoutingPolicy) -> String {
        let version = policy.version(for: id, lane: lane)
        let spread = id.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // Lazily: the producer and replay call this for every transaction, so it allocates nothing.
        return pick(fleet.lazy.filter { $0.online && $0.logic == version }, spread)
            ?? pick(fleet.lazy.filter(\.online), spread)
            ?? fleet[Int(spread % UInt64(fleet.count))].name
    }

    private static func pick(_ group: some Collection<NodeRecord>, _ spread: UInt64) -> String? {
        let count = group.count
        return count == 0 ? nil : group.dropFirst(Int(spread % UInt64(count))).first!.name
    }
}
