import ChainModel
import Foundation

/// Writes state snapshots away from the chain's thread. Encoding and fsyncing the whole state of a big
/// ledger takes tens of milliseconds; on the chain's thread every block behind it would wait that long,
/// which is what set the floor of vote latency. The state handed over is a value: the chain goes on
/// changing its own copy, which shares storage with this one until it changes a part.
///
/// One write at a time, each on a `BackgroundThread` of its own (a snapshot is due every 1,024 blocks
/// or 20,000 transactions at most, so a thread per write costs nothing that matters). A snapshot offered
/// while one is being written is declined; the chain offers again at its next block.
final class SnapshotWriter: @unchecked Sendable {
    /// Guards `writing`; `drain` sleeps on it.
    private let condition = NSCondition()
    private var writing = false

    /// Starts writing `state` to `directory` unless a write is still running; returns whether it started.
    /// `pending` is the root of the next checkpoint, which the snapshot carries once it is hashed when the
    /// snapshot stands between that checkpoint and the block that fed it. Best effort, as every snapshot
    /// is: a failed write leaves the previous snapshot in place.
    func offer(_ state: ChainState, pending: PendingRoot?, to directory: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !writing else { return false }
        writing = true
        BackgroundThread.start(named: "govconsole-snapshot") { [self] in
            _ = try? StateSnapshot.write(state, due: pending?.wait(), to: directory)
            condition.lock()
            writing = false
            condition.broadcast()
            condition.unlock()
        }
        return true
    }

    /// Waits until no snapshot is being written: closing writes the last one itself, and an older one
    /// renamed into place after it would undo it.
    func drain() {
        condition.lock()
        while writing { condition.wait() }
        condition.unlock()
    }

    /// Whether a snapshot is being written now.
    var isWriting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return writing
    }
}
