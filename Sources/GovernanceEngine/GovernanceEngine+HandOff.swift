import ChainModel
import ServicePlatform
import Synchronization

/// Requests checked in the engine's turn and not yet handed to the platform. Whoever finds no hand-off
/// running starts one; it takes everything queued meanwhile, so requests that arrive while the chain's
/// thread seals a block reach it as one batch, in one hop, in the order they were checked.
struct Outbox {
    var txs: [Transaction] = []
    var checks: [SignatureCheck?] = []
    var results = SharedResults()
    var handing = false

    /// Takes what is queued, leaving an empty batch for the requests that come next.
    mutating func take() -> (txs: [Transaction], checks: [SignatureCheck?], results: SharedResults)? {
        guard !txs.isEmpty else { return nil }
        defer { self = Outbox(handing: handing) }
        return (txs, checks, results)
    }

    private init(handing: Bool) { self.handing = handing }
    init() {}
}

/// The results of one batch handed to the platform, for each of its requests to take its own: one wait
/// at the chain per batch, not one per request.
final class SharedResults: Sendable {
    typealias Results = [Result<ServicePlatform.Sealed, any Error>]
    private let state = Mutex<(results: Results?, waiting: [CheckedContinuation<Results, Never>])>((nil, []))

    func fulfil(_ results: Results) {
        let waiting = state.withLock { s in
            s.results = results
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiting { w.resume(returning: results) }
    }

    /// How many requests wait for the batch: lets a test settle it once one does.
    var waiting: Int { state.withLock { $0.waiting.count } }

    func result(at i: Int) async -> Result<ServicePlatform.Sealed, any Error> {
        await withCheckedContinuation { (c: CheckedContinuation<Results, Never>) in
            let ready = state.withLock { s in
                if s.results == nil { s.waiting.append(c) }
                return s.results
            }
            if let ready { c.resume(returning: ready) }
        }[i]
    }
}

extension GovernanceEngine {
    /// Queues a checked request for the next hand-off, starting one if none is running; returns where its
    /// result will be.
    func queueForBlock(_ tx: Transaction, _ check: SignatureCheck?) -> (results: SharedResults, index: Int) {
        outbox.txs.append(tx)
        outbox.checks.append(check)
        let slot = (outbox.results, outbox.txs.count - 1)
        if !outbox.handing {
            outbox.handing = true
            Task { await handOver() }
        }
        return slot
    }

    /// Hands batches to the platform one after another until none is left; a sender's nonces, checked in
    /// order in the turn, reach the producer in that order.
    private func handOver() async {
        while let batch = outbox.take() {
            let queued = await platform.enqueue(batch.txs, checks: batch.checks, refusingFailedCalls: true)
            let platform = self.platform
            Task { batch.results.fulfil(await platform.results(of: queued)) }
        }
        outbox.handing = false
    }
}
