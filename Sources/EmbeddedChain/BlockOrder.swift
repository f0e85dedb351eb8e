/// The one order blocks take when several engines, each holding one node's key, keep the same ledger
/// (an etcd cluster, in `ClusterOrdering`). The chain offers each block it seals for the next place in the
/// order before it writes the block, and acknowledges nothing the order has not placed; the entries every
/// engine placed come back to it through `Chain.accept(entry:at:)`, its own included.
public protocol BlockOrder: Sendable {
    /// Offers a block, as encoded, for place `position` (the one after the last entry the chain has taken).
    /// Called on the chain's thread, which waits for the answer as it waits for an fsync.
    func place(_ encoded: [UInt8], at position: UInt64) -> Placement
    /// The largest encoded block the order takes in one entry; the chain seals fewer transactions at once
    /// rather than offer a bigger one.
    var maxBlockBytes: Int { get }
}

public enum Placement: Sendable, Equatable {
    /// The block holds the place: it is the block at its height for every engine.
    case placed
    /// Another entry holds the place; the chain takes the entries up to it, then seals its transactions
    /// again on top of them.
    case taken
    /// The request went out but no answer came back: the block may hold the place or not, and the entry
    /// at the place, once it can be read, says which. Until then the chain seals nothing more.
    case inDoubt(String)
    /// Nothing was placed: the order could not be reached. The block's transactions are refused.
    case unavailable(String)
}

/// What became of one entry of the order, for the log and for status.
public enum EntryOutcome: Sendable, Equatable {
    /// Applied and written: the block at its height.
    case applied(height: UInt64)
    /// An entry the chain took already (a watch delivering again after a reconnect).
    case alreadyTaken
    /// Not a block of this chain's order (not signed by a node, malformed, replayed or out of sequence):
    /// every engine passes over it the same way, and the ledger does not change.
    case refused(String)
    /// A block a consortium node signed for the next height that does not re-execute to what it says:
    /// this engine and that node disagree about the state. The chain stops accepting writes.
    case diverged(String)
}
