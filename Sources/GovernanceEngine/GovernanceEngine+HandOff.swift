import ChainModel
import ServicePlatform
import Synchronization

/// Requests checked (votes on their callers' tasks, anything else in the engine's turn) and not yet
/// handed to the platform. Whoever finds no hand-off running starts one; it takes everything queued
/// meanwhile, so requests that arrive while the chain's thread seals a block reach it as one batch, in
/// one hop, in the order they were queued.
struct Outbox {
    var txs: [Transaction] = []
    var checks: [SignatureCheck?] = []
    var results = SharedResults()
    var handing = false

    /// Takes what is queued, leaving an empty batch for the requests that come next; with nothing queued,
    /// the hand-off ends, and the next request queued starts another.
    mutating func take() -> (txs: [Transaction], checks: [SignatureCheck?], results: SharedResults)? {
        guard !txs.isEmpty else {
            handing = false
            return nil
        }
        defer { self = Outbox(handing: handing) }
        return (txs, checks, results)
    }

    private init(handing: Bool) { self.handing = handing }
    init() {}
}

/// A value decided once and waited for by any number of tasks, before or after it is decided.
final class Settlement<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiting: [CheckedContinuation<Value, Never>])>((nil, []))

    func settle(_ value: Value) {
        let waiting = state.withLock { s in
            s.value = value
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiting { w.resume(returning: value) }
    }

    /// How many wait for it: lets a test act once one does.
    var waiting: Int { state.withLock { $0.waiting.count } }

    func value() async -> Value {
        await withCheckedContinuation { (c: CheckedContinuation<Value, Never>) in
            let ready = state.withLock { s in
                if s.value == nil { s.waiting.append(c) }
                return s.value
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}

/// The results of one batch handed to the platform, for each of its requests to take its own: one wait
/// at the chain per batch, not one per request.
typealias SharedResults = Settlement<[Result<ServicePlatform.Sealed, any Error>]>

extension Settlement where Value == [Result<ServicePlatform.Sealed, any Error>] {
    typealias Results = Value

    func result(at i: Int) async -> Result<ServicePlatform.Sealed, any Error> { await value()[i] }
}

extension GovernanceEngine {
    /// Hands batches to the platform one after another until none is left; a sender's nonces, queued in
    /// order, reach the producer in that order. Started by whoever queued into an idle outbox.
    nonisolated func handOver() async {
        while let batch = book.withLock({ $0.outbox.take() }) {
            let queued = await platform.enqueue(batch.txs, checks: batch.checks, refusingFailedCalls: true)
            let platform = self.platform
            Task {
                let results = await platform.results(of: queued)
                batch.results.settle(results)
                self.landed(batch.txs, results, in: batch.results)
            }
        }
    }

    /// A batch's sealed requests are no longer in flight: one lock per batch, not one per request.
    /// Refusals are left to their callers, who give the nonce back before they answer.
    private nonisolated func landed(_ txs: [Transaction], _ results: SharedResults.Results, in batch: SharedResults) {
        book.withLock { book in
            for (tx, result) in zip(txs, results) where book.flights[tx.id]?.results === batch {
                if case .success = result { book.flights[tx.id] = nil }
            }
        }
    }
}
