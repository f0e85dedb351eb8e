import ChainModel
import Synchronization
/// The state kept beside the working one: in memory as of the last committed block, for readers that
/// must not wait behind the producer, and on disk every so often, so opening replays little.
extension Chain {
    /// The state as of the last committed block: never a block in progress, and read without waiting for
    /// the chain's thread. A read costs a retain of each of the state's parts, not a copy of them.
    public nonisolated var committed: ChainState { committedState.withLock { $0 } }

    /// The chain's time for readers: the clock, never behind the last committed block. Read without
    /// waiting for the chain's thread, which may be in an fsync.
    public nonisolated var committedNow: UInt64 { max(clock(), committedState.withLock { $0.time }) }

    /// Publishes the state once its block is durable. The working state shares its storage with this
    /// copy until the next block changes it, which then copies only the parts it changes, once a block.
    func publishCommitted() {
        committedState.withLock { $0 = state }
    }

    /// A snapshot every this many blocks or transactions, whichever comes first, and on close: opening
    /// then replays at most this much. Replay costs by the transaction, and a block of few costs little,
    /// while every snapshot encodes and fsyncs the whole state: at 128 blocks, votes arriving a few dozen
    /// to a block took a snapshot several times a second, 40–130 ms of a core each, beside a root hash every
    /// 128 blocks that cannot move, on a machine whose cores were verifying signatures.
    public static let snapshotEveryBlocks: UInt64 = 1_024
    public static let snapshotEveryTransactions: UInt64 = 20_000

    /// Where the state snapshot of the ledger in `directory` lives: govbench stages a crash's leftovers.
    public static func snapshotFile(in directory: String) -> String { StateSnapshot.path(directory) }

    /// Hands a snapshot to the writer's thread when one is due. The blocks it covers are already durable,
    /// so a snapshot on disk never runs ahead of the ledger. A write still running when the next is due
    /// defers it to a later block: the tail a crash can leave to replay is the interval plus the blocks
    /// sealed while one snapshot was being written.
    func snapshotIfDue() {
        guard state.height - snapshotAt.height >= Self.snapshotEveryBlocks
            || state.transactionCount - snapshotAt.transactions >= Self.snapshotEveryTransactions else { return }
        guard !readOnly, snapshots.offer(state, pending: pendingRoot, to: directory) else { return }
        snapshotAt = (state.height, state.transactionCount)
    }

    /// The last snapshot, written on the chain's thread by `close` once any write in progress has ended.
    /// Best effort: a snapshot only saves replay time, so failing to write one stops nothing.
    func writeSnapshot() {
        guard state.height > snapshotAt.height else { return }
        guard !readOnly else { return }
        ledgerThread.noteIO()
        if (try? StateSnapshot.write(state, due: pendingRoot?.wait(), to: directory)) != nil {
            snapshotAt = (state.height, state.transactionCount)
        }
    }
}
