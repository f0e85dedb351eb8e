import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain

// What the platform reads from the chain for its clients: the committed state, blocks from the ledger,
// the clock and the push channel. Nonisolated, so a read waits on the chain alone, never on routing.
extension ServicePlatform {
    /// The committed state. Every read of the state goes through here, so what "committed" means is
    /// decided in one place.
    public nonisolated func state() async -> ChainState { chain.committed }

    /// The committed state, read synchronously: a retain of each of its parts, never a wait.
    public nonisolated var committed: ChainState { chain.committed }

    /// The chain's time, read synchronously.
    public nonisolated var committedNow: UInt64 { chain.committedNow }

    /// A vote judged read-only against the committed state at the chain's time, with the errors the
    /// producer would give it, in O(1); false for anything else, which needs `dryRun`.
    public nonisolated func precheckVote(_ tx: Transaction, signature: SignatureCheck) throws(TransactionRejection) -> Bool {
        try StateTransition.precheckVote(tx, encodedSize: tx.encodedSize, in: chain.committed, at: chain.committedNow,
                                         verifiedKey: signature.key)
    }

    /// The chain's time: the clock, never behind the last block.
    public nonisolated func now() async -> UInt64 { chain.committedNow }

    public nonisolated func block(at height: UInt64) async throws(LedgerError) -> Block { try await chain.block(at: height) }

    /// Up to `limit` committed blocks from `height` on, read from the ledger.
    public nonisolated func readBlocks(from height: UInt64 = 0, limit: Int = .max) async throws(LedgerError) -> [Block] {
        try await chain.blocks(from: height, limit: limit)
    }

    /// What the next block boundary would record if a block were sealed now; changes nothing.
    public nonisolated func boundaryPreview() async -> [ChainEvent] { await chain.boundaryPreview() }

    /// Seals an empty block when a deadline or a permission has lapsed; nil when nothing was due.
    public nonisolated func sealIfDue() async throws -> Block? { try await chain.sealIfDue() }

    /// Wall-clock processing time per node-logic version, measured by this process.
    public nonisolated func processing() async -> [String: ProcessingTime] { await chain.processing }

    /// Problems the chain repaired on open; worth showing once.
    public nonisolated var warnings: [String] { chain.warnings }

    /// Whether the chain was closed: a subscription that ends early without it was dropped for falling behind.
    public nonisolated func isClosed() async -> Bool { await chain.isClosed }

    /// Committed blocks from `height` on, then live: the push channel for tally results and every other
    /// event. With a `buffer`, a reader that leaves that many blocks unread is dropped.
    public nonisolated func blocks(from height: UInt64 = 0, buffer: Int? = nil) async -> AsyncStream<Block> {
        await chain.subscribe(from: height, buffer: buffer)
    }

    /// The same stream, flattened to events.
    public nonisolated func events(from height: UInt64 = 0) async -> AsyncStream<RecordedEvent> {
        let blocks = await chain.subscribe(from: height)
        let (stream, continuation) = AsyncStream<RecordedEvent>.makeStream()
        let pump = Task {
            for await block in blocks {
                for e in block.events { continuation.yield(e) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }
}
