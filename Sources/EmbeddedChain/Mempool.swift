import ChainModel
import ChainPrimitives
import ContractRuntime
import DequeModule
import DurableStorage
import Governance
import Rollout

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
        /// The batch waiting for this transaction (one suspension for thousands of votes) and its place in it.
        let batch: BatchWaiter
        let index: Int

        func resume(returning receipt: Receipt) { batch.settle(index, .success(receipt)) }
        func resume(throwing error: any Error) { batch.settle(index, .failure(error)) }
    }

    private var queue = Deque<Pending>()
    private var bySender: [String: Int] = [:]

    var count: Int { queue.count }
    var isEmpty: Bool { queue.isEmpty }

    /// Refuses a transaction from `sender` when the pool or the sender's share of it is full.
    func checkRoom(for sender: String) throws(TransactionRejection) {
        guard queue.count < Limits.maxPendingTransactions else { throw .backlog(sender: nil, limit: Limits.maxPendingTransactions) }
        guard bySender[sender, default: 0] < Limits.maxPendingPerSender else {
            throw .backlog(sender: sender, limit: Limits.maxPendingPerSender)
        }
    }

    mutating func append(_ p: Pending) {
        queue.append(p)
        bySender[p.tx.sender, default: 0] += 1
    }

    /// Takes up to `limit` of the oldest transactions, for one block.
    mutating func take(upTo limit: Int) -> [Pending] {
        guard queue.count > limit else { return drain() }
        let taken = Array(queue.prefix(limit))
        queue.removeFirst(limit)
        for p in taken { bySender[p.tx.sender]! -= 1 }
        return taken
    }

    /// Takes every waiting transaction.
    mutating func drain() -> [Pending] {
        let all = Array(queue)
        queue = []
        bySender = [:]
        return all
    }
}

/// The results of one batch, settled one transaction at a time, and the one caller waiting for all of
/// them. Touched only on the chain's executor.
final class BatchWaiter: @unchecked Sendable {
    private(set) var results: [Result<Receipt, any Error>?]
    private(set) var remaining: Int
    private var done: CheckedContinuation<[Result<Receipt, any Error>], Never>?

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

    /// Every result, in order, when each is settled; nil while some are not.
    var settled: [Result<Receipt, any Error>]? { remaining == 0 ? results.map { $0! } : nil }

    /// Resumes `continuation` with every result once the last is settled.
    func notify(_ continuation: CheckedContinuation<[Result<Receipt, any Error>], Never>) {
        if let settled { continuation.resume(returning: settled) } else { done = continuation }
    }
}
