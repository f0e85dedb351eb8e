import ChainModel
import ChainPrimitives
import Governance
/// Handing transactions to the block producer: admission at the door, then a wait for the block.
extension Chain {
    /// Hands a transaction admitted by `node` to the block producer and waits until its block is durable.
    /// A batch of one: the signature is checked at admission, on the chain.
    public func submit(_ tx: Transaction, via node: String) async throws -> Receipt {
        try await submit(batch: [Submission(tx: tx, node: node, check: nil)])[0].get()
    }

    /// One entry of a batch: a transaction, the node the platform routed it to, the proof that its
    /// signature verified, if it did, and whether a contract call that fails is refused rather than
    /// recorded (a call made by hand; generated traffic records its failures, as real traffic would).
    public struct Submission: Sendable {
        public let tx: Transaction
        public let node: String
        public let check: SignatureCheck?
        public let refusesFailedCall: Bool

        public init(tx: Transaction, node: String, check: SignatureCheck?, refusesFailedCall: Bool = false) {
            self.tx = tx
            self.node = node
            self.check = check
            self.refusesFailedCall = refusesFailedCall
        }
    }

    /// A transaction's receipt and the height of the block it was sealed in: with many requests sharing
    /// blocks, the head when its caller hears back may already be a later one.
    public struct Sealed: Sendable {
        public let receipt: Receipt
        public let height: UInt64
    }

    /// A batch handed to the producer, to wait on with `results(of:)`.
    public struct QueuedBatch: Sendable {
        let waiter: BatchWaiter
    }

    /// Queues many transactions at once, in order, and returns at once; `results(of:)` waits for them.
    /// Splitting the two lets the platform hand batches over in the order they arrived.
    public func enqueue(batch: [Submission]) -> QueuedBatch {
        let waiter = BatchWaiter(count: batch.count)
        for (i, s) in batch.enumerated() {
            do {
                let key = try admit(s.tx, check: s.check)
                mempool.append(Mempool.Pending(tx: s.tx, size: s.tx.encodedSize, node: s.node, verifiedKey: key,
                                               refusesFailedCall: s.refusesFailedCall, batch: waiter, index: i))
                scheduleSeal()
            } catch {
                waiter.settle(i, .failure(error))
            }
        }
        return QueuedBatch(waiter: waiter)
    }

    /// Every result of a queued batch, in order, once each is settled: a receipt and its block's height
    /// once the block is durable, or the error it was refused with. Any number of callers may wait.
    public func results(of batch: QueuedBatch) async -> [Result<Sealed, any Error>] {
        if let settled = batch.waiter.settled { return settled }
        return await withCheckedContinuation { batch.waiter.notify($0) }
    }

    /// Queues a batch and waits for its receipts.
    public func submit(batch: [Submission]) async -> [Result<Receipt, any Error>] {
        await results(of: enqueue(batch: batch)).map { $0.map(\.receipt) }
    }

    /// Refuses a transaction the producer has no room for, before it takes any memory. Its signature
    /// is checked first (unless the platform already did), so a forger cannot use up a member's share.
    /// Returns the key the signature verified with.
    private func admit(_ tx: Transaction, check: SignatureCheck?) throws -> PublicKey {
        if let halted { throw TransactionRejection.chainHalted(halted) }
        // A block the order has not answered about may or may not be in the ledger: nothing is queued
        // behind it, so no one waits for an answer that may take as long as etcd's outage.
        if let doubt = inDoubt { throw TransactionRejection.orderUnavailable("no answer yet whether block \(state.height + 1) took its place: \(doubt.reason)") }
        let key: PublicKey
        if let check {
            key = check.key
        } else {
            guard let member = state.management.members[tx.sender]?.publicKey else { throw TransactionRejection.unknownSender(tx.sender) }
            guard member.isValidSignature(tx.signature, for: tx.signingBytes) else { throw TransactionRejection.badSignature(sender: tx.sender) }
            key = member
        }
        try mempool.checkRoom(for: tx.sender)
        return key
    }
}
