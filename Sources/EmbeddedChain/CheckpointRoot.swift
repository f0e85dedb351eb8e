import ChainModel
import ChainPrimitives
import Foundation

/// The root a coming format 5 checkpoint block will carry: the state `BlockHeader.checkpointLag` blocks
/// before it. Replay and the snapshot know it as a value.
struct CheckpointRoot: Equatable, Sendable {
    let checkpoint: UInt64
    let root: Hash256
}

/// The same root while the producer seals the blocks in between: hashed on a `BackgroundThread` from a
/// copy of the state, which shares its storage with the chain's until the chain changes a part.
final class PendingRoot: @unchecked Sendable {
    let checkpoint: UInt64
    /// Guards `root`; `wait` sleeps on it.
    private let condition = NSCondition()
    private var root: Hash256?

    /// Starts hashing `state` now.
    init(checkpoint: UInt64, hashing state: ChainState) {
        self.checkpoint = checkpoint
        BackgroundThread.start(named: "govconsole-state-root") { [self] in
            let root = state.root
            condition.lock()
            self.root = root
            condition.broadcast()
            condition.unlock()
        }
    }

    /// A root already known: from the replay of an open, or from the snapshot it started from.
    init(_ known: CheckpointRoot) {
        checkpoint = known.checkpoint
        root = known.root
    }

    /// The root, once hashed. The checkpoint block waits here only if its lag went by faster than the
    /// hashing: a few blocks of a few transactions on a big state.
    func wait() -> CheckpointRoot {
        condition.lock()
        defer { condition.unlock() }
        while root == nil { condition.wait() }
        return CheckpointRoot(checkpoint: checkpoint, root: root!)
    }
}
