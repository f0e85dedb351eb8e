import ChainModel
import ChainPrimitives
import DurableStorage
import Governance
import Rollout
/// The block producer: seals pending transactions into the next block as soon as the chain's thread is
/// free, so every transaction that arrived while the last block's fsync ran shares the next one.
extension Chain {
    /// Seals a block with no transactions when a deadline or a permission has lapsed, so the ledger
    /// records the closing. Returns the new block, or nil when nothing was due.
    public func sealIfDue() throws -> Block? {
        // The sealer closes deadlines for everyone; a duplicate from here would only lose the race.
        guard !awaitingOrder, forwarder == nil else { return nil }
        let ctx = BlockContext(height: state.height + 1, time: max(clock(), state.time))
        guard StateTransition.hasDue(state, ctx) else { return nil }
        return try seal([])
    }

    var pendingCount: Int { mempool.count }
    /// Who sent the transactions waiting for a block: a test holding sealing waits for its own, whatever
    /// the engine queued beside them (in a cluster, a node recorded up or down).
    var pendingSenders: [String] { mempool.senders }

    func setWillAppend(_ hook: (@Sendable (UInt64) -> Void)?) { willAppend = hook }

    func setSealingPaused(_ paused: Bool) {
        sealingPaused = paused
        scheduleSeal()
    }

    /// Queues one seal, unless one is queued. It takes its turn on the cooperative pool first, then
    /// queues behind the jobs waiting on the chain's thread: submitters already running or waiting for
    /// the pool reach the chain before it and join the same block. (Queued straight onto this thread,
    /// the seal would run ahead of a busy pool's submitters and seal them one block each.)
    func scheduleSeal() {
        guard !sealScheduled, !sealingPaused, !awaitingOrder, !mempool.isEmpty, mayHandOver else { return }
        sealScheduled = true
        Task.detached { await self.sealPending() }
    }

    private func sealPending() {
        sealScheduled = false
        guard !sealingPaused, !awaitingOrder, !mempool.isEmpty, mayHandOver else { return }
        if let forwarder { return forwardPending(to: forwarder) }
        // Under an order every block costs a round trip to etcd, one after another: a block sealed the
        // moment one transaction waits leaves the next hundred a block each. A few milliseconds' wait for
        // company caps the blocks per second, not the votes in them.
        if order != nil, mempool.count < Self.orderBatch, let since = mempool.oldestSince, ContinuousClock.now - since < Self.orderBatchWindow {
            sealScheduled = true
            let wait = Self.orderBatchWindow - (ContinuousClock.now - since)
            Task.detached {
                try? await Task.sleep(for: wait)
                await self.sealPending()
            }
            return
        }
        // A block takes at most `maxBlockTransactions`; the rest wait for the next one, sealed right after.
        let batch = mempool.take(upTo: min(Limits.maxBlockTransactions, blockLimit))
        scheduleSeal()
        // `seal` resumes every continuation of the batch exactly once, whether it succeeds or throws.
        _ = try? seal(batch)
    }

    /// Bytes a transaction with its receipt takes in a block, a little above a vote's: under an order a
    /// block starts no bigger than the entry limit holds of these, so an overloaded sealer does not seal
    /// ten thousand votes only to halve them, and again each time the limit doubles back.
    static let typicalTransactionBytes = 400

    /// Transactions enough for one block under an order without waiting, and how long the oldest waits for more.
    static let orderBatch = 256
    static let orderBatchWindow: Duration = .milliseconds(4)

    /// Builds, signs and durably appends the next block from `batch`. Every continuation in the batch is
    /// resumed exactly once here; the error thrown is for callers without a batch, like `sealIfDue`.
    private func seal(_ batch: [Mempool.Pending]) throws -> Block? {
        func refuseAll(_ error: any Error, _ pending: [Mempool.Pending]? = nil) -> any Error {
            for p in pending ?? batch { p.resume(throwing: error) }
            return error
        }
        if let halted { throw refuseAll(TransactionRejection.chainHalted(halted)) }
        let height = state.height + 1
        // Under an order this engine signs as its own node; alone, the nodes take turns by height.
        let proposer = orderNode ?? state.proposer(forHeight: height)
        // Every node's key was loaded when the chain opened; nodes come only from genesis.
        guard let key = signingKeys[proposer] else {
            throw refuseAll(TransactionRejection.chainHalted("\(proposer) has no signing key loaded for block \(height)"))
        }
        let ctx = BlockContext(height: height, time: max(clock(), state.time), proposer: proposer)
        let format: UInt8, stateRoot: Hash256
        do { (format, stateRoot) = try blockFields(for: height) } catch { throw refuseAll(error) }
        // Refused transactions must leave no trace, not even a block for a deadline they happened to cross.
        // Keeping a copy costs a copy of whatever changes next, so keep one only when something is due.
        let beforeBoundary = !batch.isEmpty && StateTransition.hasDue(state, ctx) ? state : nil
        let blockEvents = StateTransition.beginBlock(&state, ctx)
        var included: [(Mempool.Pending, Receipt)] = []
        for p in batch {
            // Under an order the same transaction can reach two sealers (a forward whose answer was lost sent
            // again, or the seat changing hands): one already in a block taken here is answered from it.
            if order != nil, let height = recentlySealed.height(of: p.tx.id) {
                answerFromLedger(p, height: height, sealer: "the sealer")
                continue
            }
            do {
                let started = ContinuousClock.now
                let receipt = try StateTransition.apply(p.tx, encodedSize: p.size, node: p.node, &state, ctx, runtime: runtime,
                                                        verifiedKey: p.verifiedKey, refusingFailedCall: p.refusesFailedCall,
                                                        checkingRouting: format >= BlockHeader.routedFormat)
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
                                 stateRoot: stateRoot, format: format)
        let block = Block(header: header, genesis: nil, transactions: transactions, receipts: receipts,
                          blockEvents: blockEvents, signature: key.sign(header.hash.bytes))
        if let order {
            let encoded = block.encoded
            if encoded.count > order.maxBlockBytes {
                state = committed
                guard included.count > 1 else {
                    throw refuseAll(TransactionRejection.blockTooLarge(bytes: encoded.count, limit: order.maxBlockBytes), included.map(\.0))
                }
                // Half as many at a time until the blocks fit; every one goes back in its order.
                mempool.putBack(included.map(\.0))
                blockLimit = max(1, included.count / 2)
                scheduleSeal()
                return nil
            }
            // Nothing is written or acknowledged before the block holds its place in the shared order.
            switch order.place(encoded, at: orderPosition + 1) {
            case .placed:
                orderPosition += 1
                blockLimit = min(order.maxBlockBytes / Self.typicalTransactionBytes, blockLimit * 2)
            case .taken:
                rollBack(keeping: included.map(\.0))
                return nil
            case let .inDoubt(reason):
                rollBack(keeping: [])
                inDoubt = InDoubtBlock(position: orderPosition + 1, encoded: encoded, waiting: included.map(\.0), reason: reason)
                return nil
            case let .unavailable(reason):
                // Nothing was placed: the next transaction tries again, with no entry to wait for.
                state = committed
                throw refuseAll(TransactionRejection.orderUnavailable(reason), included.map(\.0))
            }
        }
        let frame: LedgerFile.Frame
        do {
            willAppend?(height)
            ledgerThread.noteIO()
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
        settleCommitted(block, at: frame, answering: included)
        return block
    }

    /// The work after a block is durable, whoever sealed it: publish the state it leaves, start hashing
    /// the state a checkpoint will carry, answer the transactions that waited for it, push it out.
    func settleCommitted(_ block: Block, at frame: LedgerFile.Frame, answering included: [(Mempool.Pending, Receipt)]) {
        frames.append(frame)
        headFormat = block.header.format
        publishCommitted()
        if sealFormat >= BlockHeader.laggedRootFormat, let checkpoint = BlockHeader.checkpoint(fedBy: block.height) {
            pendingRoot = PendingRoot(checkpoint: checkpoint, hashing: state)
        }
        if order != nil { recentlySealed.record(block.transactions.map(\.id), at: block.height) }
        for (p, receipt) in included { p.resume(returning: receipt, height: block.height) }
        settleForwarded(block)
        subscribers.publish(block)
        snapshotIfDue()
    }

    /// Undoes a block that did not take its place in the order: the state goes back to the last committed
    /// one, and `keeping` goes back to the front of the queue, to be sealed again once the chain has taken
    /// the entries ahead.
    private func rollBack(keeping pending: [Mempool.Pending]) {
        state = committed
        mempool.putBack(pending)
        awaitingOrder = true
    }

    /// The format and state root of block `height`. A format 5 checkpoint takes the root hashed since the
    /// block that fed it. A ledger an older govconsole sealed past that block has none: its blocks up to
    /// and including that checkpoint are sealed in format 4 once more, the checkpoint with the root of
    /// the state it is built on, and format 5 starts after it.
    private func blockFields(for height: UInt64) throws(TransactionRejection) -> (format: UInt8, root: Hash256) {
        let interval = BlockHeader.stateRootInterval
        let next = (height + interval - 1) / interval * interval
        let rootKnown = next - BlockHeader.checkpointLag >= height || pendingRoot?.checkpoint == next
        if sealFormat >= BlockHeader.laggedRootFormat, !rootKnown {
            guard headFormat < BlockHeader.laggedRootFormat else {
                let reason = "no state root was kept for checkpoint \(next); reopen the data directory to rebuild it"
                halted = reason
                throw .chainHalted(reason)
            }
            return (BlockHeader.laggedRootFormat - 1, BlockHeader.isCheckpoint(height) ? state.root : .zero)
        }
        guard BlockHeader.isCheckpoint(height) else { return (sealFormat, .zero) }
        guard sealFormat >= BlockHeader.laggedRootFormat else { return (sealFormat, state.root) }
        return (sealFormat, pendingRoot!.wait().root)
    }
}
