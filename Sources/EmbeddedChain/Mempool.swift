import ChainModel
import ChainPrimitives
import DequeModule

/// Transactions admitted and waiting for a block, oldest first, with how many each sender has waiting:
/// a sender flooding the producer is refused, not buffered. Lives inside the chain actor.
struct Mempool {
    /// One admitted transaction and the batch that waits for its result.
    struct Pending {
        let tx: Transaction
        let size: Int
        let node: String
        /// The key the signature was checked with at admission, so the producer need not check it again
        /// unless the sender's key has changed since.
        let verifiedKey: PublicKey
        /// Refused, not recorded, if it is a contract call that fails: a call made by hand was checked by a
        /// dry run against the committed state, and what was queued ahead of it may have changed the outcome.
        let refusesFailedCall: Bool
        /// The batch waiting for this transaction (one suspension for thousands of votes) and its place in it.
        let batch: BatchWaiter
        let index: Int
        /// Whether it was forwarded once already and the answer lost: it is sent once more, no further.
        var resent = false

        func resume(returning receipt: Receipt, height: UInt64) { batch.settle(index, .success(Chain.Sealed(receipt: receipt, height: height))) }
        func resume(throwing error: any Error) { batch.settle(index, .failure(error)) }
    }

    private var queue = Deque<Pending>()
    private var bySender: [String: Int] = [:]

    var count: Int { queue.count }
    /// The senders of the waiting transactions, oldest first.
    var senders: [String] { queue.map(\.tx.sender) }
    /// When the oldest waiting transaction arrived (or was put back).
    private(set) var oldestSince: ContinuousClock.Instant?
    var isEmpty: Bool { queue.isEmpty }

    /// Refuses a transaction from `sender` when the pool or the sender's share of it is full.
    func checkRoom(for sender: String) throws(TransactionRejection) {
        guard queue.count < Limits.maxPendingTransactions else { throw .backlog(sender: nil, limit: Limits.maxPendingTransactions) }
        guard bySender[sender, default: 0] < Limits.maxPendingPerSender else {
            throw .backlog(sender: sender, limit: Limits.maxPendingPerSender)
        }
    }

    mutating func append(_ p: Pending) {
        if queue.isEmpty { oldestSince = .now }
        queue.append(p)
        bySender[p.tx.sender, default: 0] += 1
    }

    /// Puts a sealed batch whose block lost its place in the order back in front, in its order, to be
    /// sealed again on top of the block that took the place.
    mutating func putBack(_ batch: [Pending]) {
        if queue.isEmpty, !batch.isEmpty { oldestSince = .now }
        queue.insert(contentsOf: batch, at: 0)
        for p in batch { bySender[p.tx.sender, default: 0] += 1 }
    }

    /// Takes up to `limit` of the oldest transactions, for one block.
    mutating func take(upTo limit: Int) -> [Pending] {
        guard queue.count > limit else { return drain() }
        let taken = Array(queue.prefix(limit))
        queue.removeFirst(limit)
        oldestSince = .now
        for p in taken { bySender[p.tx.sender]! -= 1 }
        return taken
    }

    /// Takes every waiting transaction.
    mutating func drain() -> [Pending] {
        let all = Array(queue)
        queue = []
        oldestSince = nil
        bySender = [:]
        return all
    }
}

/// The results of one batch, settled one transaction at a time, and the callers waiting for all of
/// them. Touched only on the chain's executor.
final class BatchWaiter: @unchecked Sendable {
    typealias Results = [Result<Chain.Sealed, any Error>]
    private(set) var results: [Result<Chain.Sealed, any Error>?]
    private(set) var remaining: Int
    private var waiting: [CheckedContinuation<Results, Never>] = []

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        remaining = count
    }

    func settle(_ i: Int, _ result: Result<Chain.Sealed, any Error>) {
        results[i] = result
        remaining -= 1
        guard remaining == 0 else { return }
        let all = results.map { $0! }
        for w in waiting { w.resume(returning: all) }
        waiting = []
    }

    /// Every result, in order, when each is settled; nil while some are not.
    var settled: Results? { remaining == 0 ? results.map { $0! } : nil }

    /// Resumes `continuation` with every result once the last is settled. Any number may wait.
    func notify(_ continuation: CheckedContinuation<Results, Never>) {
        if let settled { continuation.resume(returning: settled) } else { waiting.append(continuation) }
    }

    /// How many callers are waiting, for tests that need to know a wait has begun.
    var waiters: Int { waiting.count }
}
