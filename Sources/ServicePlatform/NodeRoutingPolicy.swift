import EmbeddedChain

/// Decides which node of the fleet admits a transaction. Every choice is a function of the transaction id,
/// so any platform replica routes the same transaction to the same node.
public protocol NodeRoutingPolicy: Sendable {
    func route(_ tx: Transaction, fleet: [NodeRecord]) -> String
}

/// Spreads transactions evenly over the whole fleet. Routing by lane and logic version replaces it
/// when node-logic upgrades arrive.
public struct EvenSpread: NodeRoutingPolicy {
    public init() {}

    public func route(_ tx: Transaction, fleet: [NodeRecord]) -> String {
        let bucket = tx.id.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return fleet[Int(bucket % UInt64(fleet.count))].name
    }
}
