import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import Foundation
import Governance
import Rollout

/// The embedded chain: a durable ledger, the state it implies, and a block producer that seals pending
/// transactions as soon as they arrive, like an automining development chain. All pending transactions
/// that arrive while a block is being sealed go into the next block, which costs one fsync.
public actor Chain {
    public nonisolated let directory: String
    public nonisolated let genesisHash: Hash256
    /// Problems found and repaired on open, such as a torn last record; the caller shows them.
    public nonisolated let warnings: [String]
    /// Opened to read only: it holds no lock, writes nothing and refuses every transaction.
    public nonisolated let readOnly: Bool

    public private(set) var state: ChainState
    /// Where each block is in the ledger file. Blocks themselves stay on disk: a million votes would
    /// otherwise be a gigabyte of memory.
    private var frames: [LedgerFile.Frame]
    /// The height and transaction count of the last state snapshot written.
    private var snapshotAt: (height: UInt64, transactions: UInt64)
    private let file: LedgerFile
    private let lock: DirectoryLock?
    /// The nodes' block-signing keys, loaded (and their files checked) when the chain opens for writing,
    /// so a key file changed later cannot stop the chain at some later block.
    private let signingKeys: [String: SigningKey]
    private let clock: ChainClock
    private var pending: [Pending] = []
    /// Transactions per sender waiting in `pending`: a sender flooding the producer is refused, not buffered.
    private var pendingBySender: [String: Int] = [:]
    private var sealScheduled = false
    /// Tests hold the producer still to fill `pending` deterministically.
    private var sealingPaused = false
    private var halted: String?
    private var subscribers: [UUID: AsyncStream<Block>.Continuation] = [:]
    private let runtime: ContractRuntime
    /// Wall-clock processing time per node-logic version: measured, so kept beside the state, not in it.
    public private(set) var processing: [String: ProcessingTime] = [:]

    private struct Pending {
        let tx: Transaction
        let size: Int
        let node: String
        /// The key the signature was checked with at admission, so the producer need not check it again
        /// unless the sender's key has changed since.
        let verifiedKey: PublicKey
        /// The batch waiting for this transaction (one suspension for thousands of votes) and its place in it.
        let batch: BatchWaiter
        let index: Int

        func resume(returning receipt: Receipt) { batch.settle(index, .success(receipt)) }
        func resume(throwing error: any Error) { batch.settle(index, .failure(error)) }
    }

    /// Touched only on the chain's executor.
    fileprivate final class BatchWaiter: @unchecked Sendable {
        var results: [Result<Receipt, any Error>?]
        var remaining: Int
        var done: CheckedContinuation<[Result<Receipt, any Error>], Never>?

        init(count: Int) {
            results = Array(repeating: nil, count: count)
            remaining = count
        }

        func settle(_ i: Int, _ result: Result<Receipt, any Error>) {
            results[i] = result
            remaining -= 1
            if remaining == 0, let done {
                self.done = nil
                done.resume(returning: results.map { $0! })
            }
        }
    }

    static func ledgerPath(_ directory: String) -> String { "\(directory)/blocks.log" }

    private init(directory: String, lock: DirectoryLock?, file: LedgerFile, frames: [LedgerFile.Frame], genesisHash: Hash256,
                 state: ChainState, snapshotAt: (UInt64, UInt64), signingKeys: [String: SigningKey],
                 clock: @escaping ChainClock, warnings: [String], runtime: ContractRuntime) {
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
        self.clock = clock
        self.warnings = warnings
        self.genesisHash = genesisHash
    }

    public static func exists(at directory: String) -> Bool {
        FileManager.default.fileExists(atPath: ledgerPath(directory))
    }

    /// Deletes a ledger, even a corrupt one, under its lock so a running process is never pulled out from under.
    public static func remove(at directory: String) throws(LedgerError) {
        let lock = try DirectoryLock(directory: directory)
        defer { lock.release() }
        do {
            try FileManager.default.removeItem(atPath: ledgerPath(directory))
        } catch {
            throw .io("cannot delete the ledger in \(directory): \(error.localizedDescription)")
        }
    }

    /// Writes block 0 for `genesis` into an empty ledger directory.
    public static func create(at directory: String, genesis: Genesis, keystore: Keystore, clock: @escaping ChainClock = WallClock.now) throws(LedgerError) -> Chain {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
        let lock = try DirectoryLock(directory: directory)
        guard !exists(at: directory) || (try? FileManager.default.attributesOfItem(atPath: ledgerPath(directory))[.size] as? Int) == 0 else {
            throw .exists(directory: directory)
        }
        guard let first = genesis.nodes.first else { throw .io("a chain needs at least one node") }
        let header = BlockHeader(height: 0, previous: .zero, time: genesis.time, proposer: first.name,
                                 txRoot: Block.txRoot(genesis: genesis, transactions: []),
                                 resultsRoot: Block.resultsRoot(receipts: [], blockEvents: []))
        var signingKeys: [String: SigningKey] = [:]
        for node in genesis.nodes { signingKeys[node.name] = try keystore.load(node.name) }
        let key = signingKeys[first.name]!
        let block = Block(header: header, genesis: genesis, transactions: [], receipts: [], blockEvents: [],
                          signature: key.sign(header.hash.bytes))
        // Genesis is written beside the ledger and renamed into place, so a crash while creating leaves
        // either no chain (and `init` can simply run again) or a whole one, never a torn block 0.
        let path = ledgerPath(directory)
        let staging = path + ".new"
        try? FileManager.default.removeItem(atPath: staging)
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(directory))
        let frame = try LedgerFile(path: staging).append(block.encoded)
        guard rename(staging, path) == 0 else { throw .io("cannot move \(staging) to \(path): \(String(cString: strerror(errno)))") }
        DiskWrite.syncDirectory(of: path)
        let file = try LedgerFile(path: path)
        let state = ChainState(genesisBlock: block, genesis: genesis)
        return Chain(directory: directory, lock: lock, file: file, frames: [frame], genesisHash: block.hash, state: state,
                     snapshotAt: (0, 0), signingKeys: signingKeys, clock: clock, warnings: [],
                     runtime: ContractRuntime())
    }

    /// Opens a ledger. Every frame is checked against its checksum and the state is rebuilt: from the
    /// state snapshot when one agrees with the ledger, replaying the blocks after it (each checked as a
    /// validating node would: hash link, proposer signature, re-execution reproducing its receipts and
    /// any state root), or else from genesis. `LedgerAudit` checks every block regardless.
    ///
    /// A writer takes the directory's lock, refuses loose key files and directories before it writes
    /// anything, cuts back a torn tail and removes a stale snapshot staging file. A reader (`readOnly`)
    /// takes no lock and writes nothing: it reads to the last whole frame and leaves a torn tail alone,
    /// since a writer may be appending it at this moment.
    public static func open(at directory: String, keystore: Keystore, clock: @escaping ChainClock = WallClock.now,
                            lockWait: Int = 3000, readOnly: Bool = false) throws(LedgerError) -> Chain {
        guard exists(at: directory) else { throw .missing(directory: directory) }
        let lock = readOnly ? nil : try DirectoryLock(directory: directory, waitMilliseconds: lockWait)
        if !readOnly {
            try Keystore.checkNotWritableByOthers(directory)
            try keystore.checkPermissions()
        }
        // The snapshot is read before the ledger's end is taken: a writer renames a snapshot into place
        // only after its blocks are durable, so a reader's ledger always reaches the snapshot's height.
        let snapshot = StateSnapshot.read(from: directory)
        let file = try LedgerFile(path: ledgerPath(directory), readOnly: readOnly)
        let index = try file.index()
        guard !index.frames.isEmpty else { throw .corrupt(height: 0, reason: "the ledger has no whole genesis block") }
        var warnings: [String] = []
        func block(_ h: Int) throws(LedgerError) -> Block { try file.block(index.frames[h], height: h) }
        let genesisBlock = try block(0)
        var state = try verifyGenesis(genesisBlock)
        switch snapshot {
        case nil:
            break
        case let .failure(problem)?:
            warnings.append("the state snapshot could not be read (\(problem)); rebuilt the state from genesis")
        case let .success(snapshot)?:
            let h = Int(snapshot.height)
            if snapshot.genesisHash == genesisBlock.hash, h < index.frames.count, (try? block(h).hash) == snapshot.head {
                state = snapshot
            } else {
                warnings.append("the state snapshot (height \(h)) does not match the ledger; rebuilt the state from genesis")
            }
        }
        // Blocks the snapshot covers are not replayed, but every one of their bytes is still checked
        // against its frame's checksum: damage anywhere stops the open with its height.
        for h in 1..<Int(state.height) + 1 where h < index.frames.count {
            _ = try file.read(index.frames[h], height: h)
        }
        let runtime = ContractRuntime()
        var resumedAt = (state.height, state.transactionCount)
        func replayRest(onto state: inout ChainState) throws(LedgerError) {
            for h in Int(state.height) + 1..<max(Int(state.height) + 1, index.frames.count) {
                try replay(try block(h), onto: &state, runtime: runtime)
            }
        }
        do {
            try replayRest(onto: &state)
        } catch where resumedAt.0 > 0 {
            // The ledger is blamed only if a replay from genesis fails too: the snapshot may be what is wrong.
            warnings.append("replaying after the state snapshot (height \(resumedAt.0)) failed (\(error)); rebuilt the state from genesis")
            state = try verifyGenesis(genesisBlock)
            resumedAt = (0, 0)
            try replayRest(onto: &state)
        }
        var signingKeys: [String: SigningKey] = [:]
        if !readOnly {
            for node in state.nodes {
                guard keystore.contains(node.name) else {
                    throw .keystore("no block-signing key for \(node.name) in \(keystore.directory); restore \(node.name).key from a backup, since this data directory signs \(node.name)'s blocks")
                }
                signingKeys[node.name] = try keystore.load(node.name)
            }
            // Repairs come last, once nothing can refuse the open any more.
            if let tail = index.tail {
                let aside = "\(directory)/torn-tail-\(index.frames.count).bin"
                try file.moveTail(from: index.goodLength, to: aside)
                warnings.insert("the ledger ended in \(tail), left by an interrupted write; cut back to the last whole block (height \(index.frames.count - 1)) and kept the cut bytes in \(aside)", at: 0)
            }
            StateSnapshot.removeStale(in: directory)
        }
        return Chain(directory: directory, lock: lock, file: file, frames: index.frames, genesisHash: genesisBlock.hash,
                     state: state, snapshotAt: resumedAt, signingKeys: signingKeys, clock: clock,
                     warnings: warnings, runtime: runtime)
    }

    static func verifyGenesis(_ block: Block) throws(LedgerError) -> ChainState {
        guard let genesis = block.genesis, block.height == 0, block.header.previous == .zero else {
            throw .corrupt(height: 0, reason: "block 0 is not a genesis block")
        }
        guard block.header.txRoot == Block.txRoot(genesis: genesis, transactions: []), block.header.stateRoot == .zero else {
            throw .corrupt(height: 0, reason: "genesis content does not match its header")
        }
        guard let proposer = genesis.members.first(where: { $0.name == block.header.proposer && $0.role == .node }),
              proposer.publicKey.isValidSignature(block.signature, for: block.hash.bytes) else {
            throw .corrupt(height: 0, reason: "genesis signature does not verify")
        }
        return ChainState(genesisBlock: block, genesis: genesis)
    }

    /// Applies a stored block to the state, checking it as a validating node would.
    static func replay(_ block: Block, onto s: inout ChainState, runtime: ContractRuntime) throws(LedgerError) {
        let h = block.height
        guard h == s.height + 1 else { throw .corrupt(height: h, reason: "expected height \(s.height + 1)") }
        guard block.header.previous == s.head else { throw .corrupt(height: h, reason: "previous hash does not match block \(s.height)") }
        guard block.genesis == nil else { throw .corrupt(height: h, reason: "a second genesis") }
        guard block.header.time >= s.time else { throw .corrupt(height: h, reason: "time goes backwards") }
        let proposer = s.proposer(forHeight: h)
        guard block.header.proposer == proposer else { throw .corrupt(height: h, reason: "proposed by \(block.header.proposer), whose turn it was not") }
        guard let key = s.management.members[proposer]?.publicKey, key.isValidSignature(block.signature, for: block.hash.bytes) else {
            throw .corrupt(height: h, reason: "block signature does not verify with \(proposer)'s key")
        }
        guard block.header.txRoot == Block.txRoot(genesis: nil, transactions: block.transactions) else {
            throw .corrupt(height: h, reason: "transactions do not match the Merkle root")
        }
        guard block.transactions.count == block.receipts.count else { throw .corrupt(height: h, reason: "receipt count differs from transaction count") }

        let expectedRoot = BlockHeader.isCheckpoint(h) ? s.root : .zero
        guard block.header.stateRoot == expectedRoot else {
            throw .corrupt(height: h, reason: "the state root \(block.header.stateRoot.short) differs from the replayed state's \(expectedRoot.short)")
        }
        let ctx = BlockContext(height: h, time: block.header.time)
        let blockEvents = StateTransition.beginBlock(&s, ctx)
        var receipts: [Receipt] = []
        receipts.reserveCapacity(block.transactions.count)
        // Signatures are checked on every core against the keys at the block's start; a transaction whose
        // sender's key changed within the block is checked again as it is applied.
        let checks = SignatureCheck.verify(block.transactions, members: s.management.members)
        for (i, (tx, stored)) in zip(block.transactions, block.receipts).enumerated() {
            do {
                receipts.append(try StateTransition.apply(tx, encodedSize: tx.encodedSize, node: stored.node, &s, ctx, runtime: runtime,
                                                          verifiedKey: checks[i]?.key))
            } catch {
                throw .corrupt(height: h, reason: "transaction \(tx.id.short) does not replay: \(error)")
            }
        }
        guard receipts == block.receipts, blockEvents == block.blockEvents,
              Block.resultsRoot(receipts: receipts, blockEvents: blockEvents) == block.header.resultsRoot else {
            throw .corrupt(height: h, reason: "re-executing the block gives different results")
        }
        s.height = h
        s.head = block.hash
        s.time = block.header.time
        if let i = s.nodes.firstIndex(where: { $0.name == proposer }) { s.nodes[i].blocksProposed += 1 }
    }

    // MARK: Submitting

    /// Hands a transaction admitted by `node` to the block producer and waits until its block is durable.
    /// A batch of one: the signature is checked at admission, on the chain.
    public func submit(_ tx: Transaction, via node: String) async throws -> Receipt {
        try await submit(batch: [Submission(tx: tx, node: node, check: nil)])[0].get()
    }

    /// One entry of a batch: a transaction, the node the platform routed it to, and the proof that its
    /// signature verified, if it did.
    public struct Submission: Sendable {
        public let tx: Transaction
        public let node: String
        public let check: SignatureCheck?

        public init(tx: Transaction, node: String, check: SignatureCheck?) {
            self.tx = tx
            self.node = node
            self.check = check
        }
    }

    /// A batch handed to the producer, to wait on with `results(of:)`.
    public struct QueuedBatch: Sendable {
        fileprivate let waiter: BatchWaiter
    }

    /// Queues many transactions at once, in order, and returns at once; `results(of:)` waits for them.
    /// Splitting the two lets the platform hand batches over in the order they arrived.
    public func enqueue(batch: [Submission]) -> QueuedBatch {
        let waiter = BatchWaiter(count: batch.count)
        for (i, s) in batch.enumerated() {
            do {
                let key = try admit(s.tx, check: s.check)
                enqueue(Pending(tx: s.tx, size: s.tx.encodedSize, node: s.node, verifiedKey: key, batch: waiter, index: i))
            } catch {
                waiter.settle(i, .failure(error))
            }
        }
        return QueuedBatch(waiter: waiter)
    }

    /// Every result of a queued batch, in order, once each is settled: a receipt once its block is
    /// durable, or the error it was refused with.
    public func results(of batch: QueuedBatch) async -> [Result<Receipt, any Error>] {
        if batch.waiter.remaining == 0 { return batch.waiter.results.map { $0! } }
        return await withCheckedContinuation { batch.waiter.done = $0 }
    }

    /// Queues a batch and waits for its results.
    public func submit(batch: [Submission]) async -> [Result<Receipt, any Error>] {
        await results(of: enqueue(batch: batch))
    }

    /// Refuses a transaction the producer has no room for, before it takes any memory. Its signature
    /// is checked first (unless the platform already did), so a forger cannot use up a member's share.
    /// Returns the key the signature verified with.
    private func admit(_ tx: Transaction, check: SignatureCheck?) throws -> PublicKey {
        if let halted { throw TransactionRejection.chainHalted(halted) }
        let key: PublicKey
        if let check {
            key = check.key
        } else {
            guard let member = state.management.members[tx.sender]?.publicKey else { throw TransactionRejection.unknownSender(tx.sender) }
            guard member.isValidSignature(tx.signature, for: tx.signingBytes) else { throw TransactionRejection.badSignature(sender: tx.sender) }
            key = member
        }
        guard pending.count < Limits.maxPendingTransactions else { throw TransactionRejection.backlog(sender: nil, limit: Limits.maxPendingTransactions) }
        guard pendingBySender[tx.sender, default: 0] < Limits.maxPendingPerSender else {
            throw TransactionRejection.backlog(sender: tx.sender, limit: Limits.maxPendingPerSender)
        }
        return key
    }

    private func enqueue(_ p: Pending) {
        pending.append(p)
        pendingBySender[p.tx.sender, default: 0] += 1
        if !sealScheduled && !sealingPaused {
            sealScheduled = true
            Task { self.sealPending() }
        }
    }

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

    /// Seals a block with no transactions when a deadline or a permission has lapsed, so the ledger
    /// records the closing. Returns the new block, or nil when nothing was due.
    public func sealIfDue() throws -> Block? {
        let ctx = BlockContext(height: state.height + 1, time: max(clock(), state.time))
        guard StateTransition.hasDue(state, ctx) else { return nil }
        return try seal([])
    }

    var pendingCount: Int { pending.count }

    func setSealingPaused(_ paused: Bool) {
        sealingPaused = paused
        if !paused && !pending.isEmpty && !sealScheduled {
            sealScheduled = true
            Task { self.sealPending() }
        }
    }

    private func sealPending() {
        sealScheduled = false
        guard !sealingPaused, !pending.isEmpty else { return }
        // A block takes at most `maxBlockTransactions`; the rest wait for the next one, sealed right after.
        let batch: [Pending]
        if pending.count <= Limits.maxBlockTransactions {
            batch = pending
            pending = []
            pendingBySender = [:]
        } else {
            batch = Array(pending.prefix(Limits.maxBlockTransactions))
            pending.removeFirst(Limits.maxBlockTransactions)
            for p in batch { pendingBySender[p.tx.sender]! -= 1 }
            sealScheduled = true
            Task { self.sealPending() }
        }
        // `seal` resumes every continuation of the batch exactly once, whether it succeeds or throws.
        _ = try? seal(batch)
    }

    /// Builds, signs and durably appends the next block from `batch`. Every continuation in the batch is
    /// resumed exactly once here; the error thrown is for callers without a batch, like `sealIfDue`.
    private func seal(_ batch: [Pending]) throws -> Block? {
        func refuseAll(_ error: any Error) -> any Error {
            for p in batch { p.resume(throwing: error) }
            return error
        }
        if let halted { throw refuseAll(TransactionRejection.chainHalted(halted)) }
        let height = state.height + 1
        let proposer = state.proposer(forHeight: height)
        // Every node's key was loaded when the chain opened; nodes come only from genesis.
        guard let key = signingKeys[proposer] else {
            throw refuseAll(TransactionRejection.chainHalted("\(proposer) has no signing key loaded for block \(height)"))
        }
        let ctx = BlockContext(height: height, time: max(clock(), state.time))
        let stateRoot = BlockHeader.isCheckpoint(height) ? state.root : .zero
        // Refused transactions must leave no trace, not even a block for a deadline they happened to cross.
        // Keeping a copy costs a copy of whatever changes next, so keep one only when something is due.
        let beforeBoundary = !batch.isEmpty && StateTransition.hasDue(state, ctx) ? state : nil
        let blockEvents = StateTransition.beginBlock(&state, ctx)
        var included: [(Pending, Receipt)] = []
        for p in batch {
            do {
                let started = ContinuousClock.now
                let receipt = try StateTransition.apply(p.tx, encodedSize: p.size, node: p.node, &state, ctx, runtime: runtime,
                                                        verifiedKey: p.verifiedKey)
                processing[receipt.logic, default: ProcessingTime()].add(ContinuousClock.now - started)
                included.append((p, receipt))
            } catch {
                p.resume(throwing: error)
            }
        }
        if included.isEmpty && !batch.isEmpty {
            if let beforeBoundary { state = beforeBoundary }
            return nil
        }
        guard !included.isEmpty || !blockEvents.isEmpty else { return nil }

        let receipts = included.map(\.1)
        let transactions = included.map(\.0.tx)
        let header = BlockHeader(height: height, previous: state.head, time: ctx.time, proposer: proposer,
                                 txRoot: Block.txRoot(genesis: nil, transactions: transactions),
                                 resultsRoot: Block.resultsRoot(receipts: receipts, blockEvents: blockEvents),
                                 stateRoot: stateRoot)
        let block = Block(header: header, genesis: nil, transactions: transactions, receipts: receipts,
                          blockEvents: blockEvents, signature: key.sign(header.hash.bytes))
        let frame: LedgerFile.Frame
        do {
            frame = try file.append(block.encoded)
        } catch {
            // The in-memory state ran ahead of the disk: refuse everything from now on rather than diverge.
            let reason: String
            if case let .writeFailed(fault, true) = error {
                reason = "cannot write block \(height) to \(fault.path): \(fault.cause); nothing after block \(height - 1) was written; \(fault.remedy), restarting the service if one runs"
            } else {
                reason = "writing block \(height) failed (\(error)); it may or may not be on disk, so reopen the data directory to see which"
            }
            halted = reason
            for (p, _) in included { p.resume(throwing: TransactionRejection.chainHalted(reason)) }
            throw TransactionRejection.chainHalted(reason)
        }
        state.height = height
        state.head = block.hash
        state.time = ctx.time
        if let i = state.nodes.firstIndex(where: { $0.name == proposer }) { state.nodes[i].blocksProposed += 1 }
        frames.append(frame)
        for (p, receipt) in included { p.resume(returning: receipt) }
        for (id, s) in subscribers {
            if case .dropped = s.yield(block) {
                s.finish()
                subscribers[id] = nil
            }
        }
        snapshotIfDue()
        return block
    }

    // MARK: Reading

    /// Every committed block from `height` on, read from the ledger, then each new block as it is committed.
    /// With a `buffer`, a reader that leaves that many blocks unread is dropped: its stream ends (a slow
    /// reader must never hold the chain's memory), and the reader knows it fell behind by the early end.
    public func subscribe(from height: UInt64 = 0, buffer: Int? = nil) -> AsyncStream<Block> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Block>.makeStream(bufferingPolicy: buffer.map { .bufferingOldest($0) } ?? .unbounded)
        for h in Int(min(height, UInt64(frames.count)))..<frames.count {
            guard let block = try? block(at: UInt64(h)) else { break }
            if case .dropped = continuation.yield(block) {
                continuation.finish()
                return stream
            }
        }
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    /// Whether `close` has run: a subscription that ends early without it was dropped for falling behind.
    public private(set) var isClosed = false

    public func block(at height: UInt64) throws(LedgerError) -> Block {
        guard height < UInt64(frames.count) else { throw .corrupt(height: height, reason: "there is no block at this height") }
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

    // MARK: Snapshots

    /// A snapshot every this many blocks or transactions, whichever comes first, and on close: opening
    /// then replays at most this much.
    static let snapshotEveryBlocks: UInt64 = 128
    static let snapshotEveryTransactions: UInt64 = 20_000

    private func snapshotIfDue() {
        guard state.height - snapshotAt.height >= Self.snapshotEveryBlocks
            || state.transactionCount - snapshotAt.transactions >= Self.snapshotEveryTransactions else { return }
        writeSnapshot()
    }

    /// Best effort: a snapshot only saves replay time, so failing to write one stops nothing.
    private func writeSnapshot() {
        guard state.height > snapshotAt.height else { return }
        guard !readOnly else { return }
        if (try? StateSnapshot.write(state, to: directory)) != nil {
            snapshotAt = (state.height, state.transactionCount)
        }
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    /// How many live subscriptions are open: lets a test wait for a reader to subscribe instead of guessing how long it takes.
    public var subscriberCount: Int { subscribers.count }

    public func now() -> UInt64 { max(clock(), state.time) }

    /// What the platform routes by, without copying (and so later forcing a copy of) the whole state.
    public var routingInputs: (fleet: [NodeRecord], policy: RoutingPolicy) { (state.nodes, state.management.nodeRouting) }

    /// Every identity and its key, for checking signatures before ordering.
    public var members: [String: Member] { state.management.members }

    /// Stops accepting transactions and releases the directory lock; what was committed stays durable.
    public func close() {
        if halted == nil { writeSnapshot() }
        halted = "the chain was closed"
        isClosed = true
        let waiting = pending
        pending = []
        pendingBySender = [:]
        for p in waiting { p.resume(throwing: TransactionRejection.chainHalted("the chain was closed")) }
        lock?.release()
        for s in subscribers.values { s.finish() }
        subscribers = [:]
    }
}

/// Mean wall-clock time a node-logic version took per transaction it processed.
public struct ProcessingTime: Sendable, Hashable {
    public private(set) var count: UInt64 = 0
    public private(set) var totalMicroseconds: UInt64 = 0

    mutating func add(_ d: Duration) {
        count += 1
        totalMicroseconds += UInt64(max(0, d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000))
    }

    public var meanMicroseconds: UInt64 { count == 0 ? 0 : totalMicroseconds / count }
}
