import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import Governance
import Rollout
import Synchronization

/// The embedded chain: a durable ledger, the state it implies, and a block producer that seals pending
/// transactions as soon as they arrive, like an automining development chain. All pending transactions
/// that arrive while a block is being sealed go into the next block, which costs one fsync.
///
/// Its parts, one file each: opening and repair (`Chain+Open`), checking stored blocks (`BlockVerifier`),
/// admission (`Chain+Submission`, `Mempool`), sealing (`BlockProducer`), pushing blocks out
/// (`Subscriptions`) and the state kept in memory and on disk (`Chain+Snapshots`). The actor runs on
/// its own thread (`LedgerThread`), since its file work blocks.
public actor Chain {
    public nonisolated let directory: String
    public nonisolated let genesisHash: Hash256
    /// Problems found and repaired on open, such as a torn last record; the caller shows them.
    public nonisolated let warnings: [String]
    /// Opened to read only: it holds no lock, writes nothing and refuses every transaction.
    public nonisolated let readOnly: Bool

    /// The working state: between blocks it is `committed`; while a block is sealed it runs ahead.
    public internal(set) var state: ChainState
    /// The state as of the last committed block, published once per block (see `Chain+Snapshots`).
    nonisolated let committedState: Mutex<ChainState>
    /// Where each block is in the ledger file. Blocks themselves stay on disk: a million votes would
    /// otherwise be a gigabyte of memory.
    var frames: [LedgerFile.Frame]
    /// The height and transaction count of the last state snapshot written.
    var snapshotAt: (height: UInt64, transactions: UInt64)
    /// Writes the periodic snapshots off this thread.
    let snapshots = SnapshotWriter()
    let file: LedgerFile
    private let lock: DirectoryLock?
    /// The nodes' block-signing keys, loaded (and their files checked) when the chain opens for writing,
    /// so a key file changed later cannot stop the chain at some later block.
    let signingKeys: [String: SigningKey]
    nonisolated let clock: ChainClock
    var mempool = Mempool()
    var sealScheduled = false
    /// Tests hold the producer still to fill the mempool deterministically.
    var sealingPaused = false
    var halted: String?
    /// The format new blocks are sealed in; only tests writing an older govconsole's ledger change it.
    let sealFormat: UInt8
    /// The format of the last block: a ledger never goes back a format.
    var headFormat: UInt8
    /// The root the next format 5 checkpoint carries, hashed or being hashed since the block that fed it.
    var pendingRoot: PendingRoot?
    var subscribers = Subscribers()
    let runtime: ContractRuntime
    /// Wall-clock processing time per node-logic version: measured, so kept beside the state, not in it.
    public internal(set) var processing: [String: ProcessingTime] = [:]
    /// The order blocks are placed in when several engines keep this ledger (`Chain+Order`); nil alone.
    var order: (any BlockOrder)?
    /// The node this engine signs blocks as under an order.
    var orderNode: String?
    /// The position of the last entry of the order the chain has taken, its own blocks included.
    public internal(set) var orderPosition: UInt64 = 0
    /// A block offered to the order with no answer; the entry at its position decides its fate.
    var inDoubt: InDoubtBlock?
    /// The most transactions the next block takes: halved while blocks come out too big for the order.
    var blockLimit = Limits.maxBlockTransactions
    /// Set when a block did not take its place: sealing waits for the next entry of the order.
    var awaitingOrder = false
    /// The engine this one forwards its transactions to while another seals (`Chain+Forward`); nil seals here.
    var forwarder: (any TransactionForwarder)? {
        didSet { forwardingNow.store(forwarder != nil, ordering: .relaxed) }
    }
    /// Whether `forwarder` is set, readable off the chain's thread (the peer link asks on every request).
    nonisolated let forwardingNow = Atomic<Bool>(false)
    /// Forwarded batches waiting for their answer.
    var forwardsInFlight = 0
    /// More than this many batches on their way to the sealer, and the next waits and grows instead.
    static let maxForwardsInFlight = 4
    /// Forwarded transactions the sealer sealed, by the height of their block, until this chain takes it.
    var sealedElsewhere: [UInt64: [Mempool.Pending]] = [:]
    /// The transactions of the last blocks taken, under an order (see `RecentlySealed`).
    var recentlySealed = RecentlySealed()
    /// Why the last forward failed, for status; cleared when one gets through.
    public internal(set) var forwardingFailed: String? {
        didSet { if forwardingFailed != nil { forwardFailures += 1 } }
    }
    /// How many forwards have failed since the chain opened: a reason sealing fell back to this engine.
    public private(set) var forwardFailures = 0
    /// Entries of the order that were not blocks of this chain, and the last reason, for status.
    public internal(set) var refusedEntries: (count: Int, last: String?) = (0, nil)
    /// Called on the chain's thread with a block's height just before the block is written: tests hold
    /// the thread there, as a slow fsync would.
    var willAppend: (@Sendable (UInt64) -> Void)?
    /// The thread everything this actor does runs on, its blocking file work included.
    nonisolated let ledgerThread: LedgerThread

    public nonisolated var unownedExecutor: UnownedSerialExecutor { ledgerThread.asUnownedSerialExecutor() }

    init(directory: String, lock: DirectoryLock?, file: LedgerFile, frames: [LedgerFile.Frame], genesisHash: Hash256,
         state: ChainState, snapshotAt: (UInt64, UInt64), signingKeys: [String: SigningKey],
         clock: @escaping ChainClock, warnings: [String], runtime: ContractRuntime, thread: LedgerThread,
         sealFormat: UInt8 = BlockHeader.version, headFormat: UInt8, due: CheckpointRoot?) {
        self.sealFormat = sealFormat
        self.headFormat = headFormat
        pendingRoot = due.map(PendingRoot.init)
        self.runtime = runtime
        self.directory = directory
        self.lock = lock
        readOnly = lock == nil
        halted = lock == nil ? "this process opened the ledger read-only" : nil
        self.signingKeys = signingKeys
        self.file = file
        self.frames = frames
        self.snapshotAt = snapshotAt
        self.state = state
        committedState = Mutex(state)
        self.clock = clock
        self.warnings = warnings
        self.genesisHash = genesisHash
        ledgerThread = thread
    }

    deinit { ledgerThread.stop() }

    // MARK: Reading

    public func block(at height: UInt64) throws(LedgerError) -> Block {
        guard height < UInt64(frames.count) else { throw .corrupt(height: height, reason: "there is no block at this height") }
        ledgerThread.noteIO()
        return try file.block(frames[Int(height)], height: Int(height))
    }

    /// Up to `limit` blocks from `height` on, read from the ledger.
    public func blocks(from height: UInt64 = 0, limit: Int = .max) throws(LedgerError) -> [Block] {
        var out: [Block] = []
        var h = height
        while h < UInt64(frames.count), out.count < limit {
            out.append(try block(at: h))
            h += 1
        }
        return out
    }

    /// Whether `close` has run: a subscription that ends early without it was dropped for falling behind.
    public private(set) var isClosed = false

    public func now() -> UInt64 { max(clock(), state.time) }

    /// What the platform routes by, without copying (and so later forcing a copy of) the whole state.
    public var routingInputs: (fleet: [NodeRecord], policy: RoutingPolicy) { (state.nodes, state.management.nodeRouting) }

    /// Every identity and its key, for checking signatures before ordering.
    public var members: [String: Member] { state.management.members }

    /// What would happen to `tx` if it were sealed now, without sealing it: the same checks and the same
    /// errors, on a copy of the state.
    public func dryRun(_ tx: Transaction, via node: String) throws(TransactionRejection) -> Receipt {
        var s = state
        // A nonce ahead of the committed one belongs behind transactions still in flight: judge the
        // transaction as if they had landed.
        if tx.nonce > s.nextNonce(of: tx.sender) { s.nonces[tx.sender] = tx.nonce - 1 }
        let ctx = BlockContext(height: s.height + 1, time: max(clock(), s.time))
        _ = StateTransition.beginBlock(&s, ctx)
        return try StateTransition.apply(tx, encodedSize: tx.encodedSize, node: node, &s, ctx, runtime: runtime)
    }

    /// What the next block boundary would record if a block were sealed now: votes closed by their
    /// deadline, permissions granted by them or expired. Changes nothing.
    public func boundaryPreview() -> [ChainEvent] {
        let ctx = BlockContext(height: state.height + 1, time: max(clock(), state.time))
        guard StateTransition.hasDue(state, ctx) else { return [] }
        var copy = state
        return StateTransition.beginBlock(&copy, ctx)
    }

    /// Stops accepting transactions and releases the directory lock; what was committed stays durable.
    public func close() {
        // A snapshot still being written ends first: the last one below must not be overtaken by it, and
        // even a halted chain, which writes none, must not leave one running once the lock is released.
        snapshots.drain()
        if halted == nil { writeSnapshot() }
        halted = "the chain was closed"
        isClosed = true
        for p in mempool.drain() { p.resume(throwing: TransactionRejection.chainHalted("the chain was closed")) }
        for p in inDoubt?.waiting ?? [] {
            p.resume(throwing: TransactionRejection.chainHalted("the chain was closed before the order answered whether its block was placed; look for the transaction once it runs again"))
        }
        inDoubt = nil
        refuseSealedElsewhere("the chain was closed before it took the block another engine sealed the transaction in; look for it once it runs again")
        lock?.release()
        subscribers.finishAll()
    }
}
