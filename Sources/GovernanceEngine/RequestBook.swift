import ChainModel
import ChainPrimitives
import GovernanceAPI
import ServicePlatform
import Synchronization

/// What the engine knows of the requests on their way to a block: who holds the turn, what is queued
/// for the next hand-off, what is in flight or parked, and the nonces handed out. Kept under a lock
/// (`GovernanceEngine.book`) rather than in the engine's actor, so a vote is queued on its caller's own
/// task, with no hop into the engine and back; requests that need the engine's turn take the same lock
/// for each step, so both kinds see one order.
struct RequestBook {
    /// Set while a request holds the engine's turn (checked there, a due-deadline block, a retry taking
    /// its place in line); a vote that finds it set waits in line behind it instead of overtaking it.
    var turnTaken = false
    /// Requests queued for a block and not yet settled, by transaction id: a resent one joins its wait.
    var flights: [Hash256: Flight] = [:]
    /// Requests that failed their check while others were queued, parked (outside the turn) until those
    /// land and they are checked again, by transaction id: a resent one joins the wait.
    var parked: [Hash256: Flight] = [:]
    /// Requests checked and waiting to be handed to the platform as one batch.
    var outbox = Outbox()
    /// The last nonce handed out per sender, so requests and generated traffic in flight together never
    /// reuse one.
    var issuedNonces: [String: UInt64] = [:]

    /// The next nonce to hand `sender` when the chain expects `committed`: past any handed out and not
    /// yet committed.
    mutating func issueNonce(to sender: String, committed: UInt64) -> UInt64 {
        let nonce = max(committed, (issuedNonces[sender] ?? 0) + 1)
        issuedNonces[sender] = nonce
        return nonce
    }

    /// Gives back a nonce handed out and never used, if nothing was handed out after it.
    mutating func release(_ nonce: UInt64, of sender: String) {
        if issuedNonces[sender] == nonce { issuedNonces[sender] = nonce - 1 }
    }

    /// Forgets handed-out nonces after a refusal, so the sender's next transaction starts from the chain's,
    /// or from the last one it still has on its way: queued or parked. (One still being checked in the
    /// turn is in neither; its sender is refused a nonce gap at worst, which the retry mends.)
    mutating func forgetNonces(of name: String) {
        let live = flights.values.lazy.map { ($0.sender, $0.nonce) } + parked.values.lazy.map { ($0.sender, $0.nonce) }
        issuedNonces[name] = live.filter { $0.0 == name }.map(\.1).max()
    }

    /// Queues a checked request for the next hand-off and records it in flight: a copy sent again waits
    /// for its `outcome`, and its nonce counts as taken until it has landed. True in `startsHandOff` when
    /// no hand-off is running: the caller starts one.
    mutating func queue(_ tx: Transaction, _ check: SignatureCheck?, outcome: Outcome) -> (slot: Slot, startsHandOff: Bool) {
        outbox.txs.append(tx)
        outbox.checks.append(check)
        let slot = Slot(results: outbox.results, index: outbox.txs.count - 1)
        flights[tx.id] = Flight(sender: tx.sender, nonce: tx.nonce, results: slot.results, outcome: outcome)
        defer { outbox.handing = true }
        return (slot, !outbox.handing)
    }

    /// A request sealed is no longer in flight. `outcome` names the flight, so a copy queued since under
    /// the same id stays.
    mutating func landed(_ tx: Transaction, _ outcome: Outcome) {
        if flights[tx.id]?.outcome === outcome { flights[tx.id] = nil }
    }

    /// A request refused at sealing is no longer in flight, and its nonce is free again.
    mutating func refused(_ tx: Transaction, _ outcome: Outcome) {
        landed(tx, outcome)
        forgetNonces(of: tx.sender)
    }
}

/// Where a queued request's result will be: its batch, and its place in it.
struct Slot: Sendable {
    let results: SharedResults
    let index: Int

    func result() async -> Result<ServicePlatform.Sealed, any Error> { await results.result(at: index) }
}

/// A request queued for a block, or parked: whose nonce it uses, and the outcome to wait for.
struct Flight: Sendable {
    let sender: String
    let nonce: UInt64
    /// The batch it was handed over in; nil while it is parked.
    let results: SharedResults?
    let outcome: Outcome
}

/// A request's reply or refusal, decided once by the request itself and waited for by anyone else: a
/// copy sent again, a request parked behind it, its sender's next nonce. Waiting has no side effects, so
/// a refusal gives its nonce back once and a nonce gap is retried once, whoever waits.
typealias Outcome = Settlement<Result<Submitted, any Error>>

extension Settlement where Value == Result<Submitted, any Error> {
    /// The reply, or the refusal thrown.
    func reply() async throws -> Submitted { try await value().get() }
}
