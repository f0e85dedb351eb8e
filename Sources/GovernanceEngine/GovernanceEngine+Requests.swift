import ChainModel
import ChainPrimitives
import EmbeddedChain
import Governance
import GovernanceAPI
import ServicePlatform

// The engine's side of a request: it hands out signing contexts and takes transactions its clients
// signed with their own keys. Each is verified once, before its turn, then checked against the committed
// state (a vote read-only, anything else by a dry run) before it is submitted, so a refused request never
// reaches the ledger and reports the contract's own error.
extension GovernanceEngine: GovernanceBackend {
    public nonisolated var endpoint: Endpoint { .embedded(directory: dataDirectory.path) }

    /// The member `name`, or an error listing who can be named.
    func identity(_ name: String) async throws -> Member {
        let members = await platform.state().management.members
        guard let m = members[name] else {
            let known = members.values.filter { $0.role != .node }.map(\.name).sorted()
            throw EngineError.unknownIdentity(name, known: known)
        }
        return m
    }

    /// The sender's next nonce, past any handed out and not yet committed, so requests in flight together
    /// never reuse one.
    public func signingContext(for sender: String, proposal: UInt64? = nil) async throws -> SigningContext {
        _ = try await identity(sender)
        let state = await platform.state()
        let nonce = book.withLock { $0.issueNonce(to: sender, committed: state.nextNonce(of: sender)) }
        return SigningContext(chain: state.genesisHash, sender: sender, nonce: nonce, height: state.height,
                              voteRequest: proposal.flatMap { state.management.proposal($0)?.elector(sender)?.request })
    }

    public func release(_ context: SigningContext) {
        book.withLock { $0.release(context.nonce, of: context.sender) }
    }

    /// Forgets handed-out nonces after a refusal (see `RequestBook.forgetNonces`).
    nonisolated func forgetNonces(of name: String) {
        book.withLock { $0.forgetNonces(of: name) }
    }

    /// Claims 1 and 2 on the engine's side: a proposal, vote, execution or cancellation, or any other
    /// signed request. An execution is checked against the permission registry first; the management
    /// contract checks the permission again on chain before it applies the operation. A request that
    /// needs the turn holds it until it is queued for the next hand-off to the platform, then waits for
    /// its block to be durable outside it.
    ///
    /// A vote, the bulk of all requests, is queued on its caller's own task, in one step under the request
    /// book's lock, and waits once for its block: no hop into the engine, no task of its own, and its reply
    /// is built outside the engine. At 20,000 votes a second the hops this saves were a third of the work
    /// besides verifying. Everything else, and a vote that arrives while a request holds the turn, goes
    /// the longer way, through the turn, in arrival order.
    ///
    /// Each request's outcome is decided once, by the request itself (`Outcome`); a copy sent again, or a
    /// request parked behind it, only waits for it.
    public nonisolated func submit(_ tx: Transaction, since: UInt64) async throws -> Submitted {
        // Verified here, on the caller's task, before the turn: requests arriving together verify on every
        // core, once, and neither the turn nor the chain's thread spends time on it.
        let signature = SignatureCheck.verify(tx, members: platform.committed.management.members)
        if let signature, let queued = admitVote(tx, signature: signature) {
            return try await decide(tx, queued)
        }
        return try await submit(tx, since: since, signature: signature, checkedOnce: false)
    }

    /// A vote queued for the next hand-off when nothing stands in its way: no request holds the turn (it
    /// would be overtaken), it is not a transaction sent again, and it passes the read-only check. Nil
    /// sends it the longer way, which checks it again and says why it is refused or waits for what it
    /// needs. The check reads the committed state only; the queueing is one step under the book's lock.
    private nonisolated func admitVote(_ tx: Transaction, signature: SignatureCheck) -> Queued? {
        guard (try? platform.precheckVote(tx, signature: signature)) == true else { return nil }
        return queue(tx, signature) { $0.turnTaken || $0.flights[tx.id] != nil || $0.parked[tx.id] != nil }
    }

    private func submit(_ tx: Transaction, since: UInt64, signature: SignatureCheck?, checkedOnce: Bool) async throws -> Submitted {
        switch try await serialized({ try await admit(tx, since: since, signature: signature, checkedOnce: checkedOnce) }) {
        case let .joined(outcome):
            return try await outcome.reply()
        case let .committed(earlier):
            return earlier
        case let .queued(queued):
            return try await decide(tx, queued)
        case let .after(ahead, outcome):
            // Checked against the committed state, a request may fail for what a request queued ahead of it
            // is about to change (a transfer of funds an issue queued ahead creates). It waits for those,
            // parked outside the turn so everyone else's requests keep sharing blocks, and is checked once more.
            let result = await Self.result {
                for flight in ahead { _ = await flight.value() }
                return try await self.submit(tx, since: since, signature: signature, checkedOnce: true)
            }
            book.withLock { book in
                if book.parked[tx.id]?.outcome === outcome { book.parked[tx.id] = nil }
            }
            outcome.settle(result)
            return try result.get()
        }
    }

    /// What a request's turn ended with: joined to a copy already on its way, found committed, queued for
    /// a block, or parked until the requests queued ahead of it have landed.
    private enum Admission {
        case joined(Outcome)
        case committed(Submitted)
        case queued(Queued)
        case after([Outcome], Outcome)
    }

    /// Within the turn: a transaction sent again joins the first one's wait, or finds it committed;
    /// anything else is checked and queued.
    private func admit(_ tx: Transaction, since: UInt64, signature: SignatureCheck?, checkedOnce: Bool) async throws -> Admission {
        if let flight = book.withLock({ $0.flights[tx.id] ?? (checkedOnce ? nil : $0.parked[tx.id]) }) { return .joined(flight.outcome) }
        if tx.nonce < platform.committed.nextNonce(of: tx.sender), let earlier = try await committed(tx, since: since) {
            return .committed(earlier)
        }
        do {
            try await check(tx, signature: signature)
        } catch {
            let parked = book.withLock { book -> Admission? in
                // Parked in the same step as it looks at what is ahead, so its nonce is never free meanwhile.
                // Not behind its own sender's later nonces: those wait for it (`predecessorLanded`).
                let ahead = book.flights.values.filter { $0.sender != tx.sender || $0.nonce < tx.nonce }.map(\.outcome)
                guard !checkedOnce, !Self.noRequestAheadCures(error), !ahead.isEmpty else {
                    book.parked[tx.id] = nil
                    book.forgetNonces(of: tx.sender)
                    return nil
                }
                let outcome = Outcome()
                book.parked[tx.id] = Flight(sender: tx.sender, nonce: tx.nonce, results: nil, outcome: outcome)
                return .after(ahead, outcome)
            }
            if let parked { return parked }
            throw error
        }
        // The dry run saw the committed state; what is queued ahead may still make a call fail when it is
        // sealed. It is then refused, as the dry run would have, rather than recorded.
        return .queued(queue(tx, signature) { _ in false }!)
    }

    /// A request queued for a block: where its result will be, and the outcome it decides.
    struct Queued {
        let slot: Slot
        let outcome: Outcome
    }

    /// Queues a checked request for the next hand-off, unless `declines` says otherwise under the same
    /// lock, and starts a hand-off if none is running.
    private nonisolated func queue(_ tx: Transaction, _ signature: SignatureCheck?, unless declines: (RequestBook) -> Bool) -> Queued? {
        let outcome = Outcome()
        let queued = book.withLock { book -> (slot: Slot, startsHandOff: Bool)? in
            guard !declines(book) else { return nil }
            return book.queue(tx, signature, outcome: outcome)
        }
        guard let queued else { return nil }
        if queued.startsHandOff { Task { await self.handOver() } }
        return Queued(slot: queued.slot, outcome: outcome)
    }

    /// Waits for a queued request's block and decides its outcome, once, for every copy waiting with it.
    private nonisolated func decide(_ tx: Transaction, _ queued: Queued) async throws -> Submitted {
        let result = await Self.result { try await self.reply(to: tx, queued.outcome, await queued.slot.result()) }
        queued.outcome.settle(result)
        return try result.get()
    }

    /// What `body` answered or threw, kept to settle an outcome with.
    private static func result(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Submitted) async -> Result<Submitted, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// A forged signature stays forged whatever lands ahead of it: refused at once rather than parked
    /// behind requests that may wait long for their block.
    private static func noRequestAheadCures(_ error: any Error) -> Bool {
        if case TransactionRejection.badSignature = error { return true }
        return false
    }

    /// The permission check and the dry run. A contract call that would fail is refused, not recorded:
    /// people calling by hand want the reason, and generated traffic, which should record failures, uses
    /// `submitTraffic`.
    private func check(_ tx: Transaction, signature: SignatureCheck?) async throws {
        // A vote, the bulk of all requests, is judged read-only in O(1); anything else by a dry run.
        if let signature {
            switch Result(catching: { () throws(TransactionRejection) in try platform.precheckVote(tx, signature: signature) }) {
            case .success(true): return
            case .success(false): break
            case let .failure(.governance(error)): throw error
            case let .failure(rejection): throw rejection
            }
        }
        if case let .governance(.execute(id)) = tx.payload { try await checkPermission(id, holder: tx.sender) }
        let preview = try await dryRun(tx)
        if case let .call(call) = tx.payload, !preview.ok {
            throw EngineError.callFailed(contract: call.contract, version: preview.call?.version ?? "?", reason: preview.error ?? "failed")
        }
    }

    /// A queued request's reply, built on its caller's task from what the producer said; the producer has
    /// the last word. A request sealed ahead of its predecessor (which arrived later, or was routed again)
    /// is sent again, once, after its predecessor landed. A refusal gives the sender's nonce back before
    /// the caller hears of it, so the sender's next request does not skip it.
    private nonisolated func reply(to tx: Transaction, _ outcome: Outcome, _ result: Result<ServicePlatform.Sealed, any Error>) async throws -> Submitted {
        var result = result
        if case let .failure(error) = result, let refusal = error as? TransactionRejection, case .nonceGap = refusal,
           await predecessorLanded(tx) {
            result = await platform.results(of: await platform.enqueue([tx], verified: false, refusingFailedCalls: true))[0]
            if case .success = result { book.withLock { $0.landed(tx, outcome) } }
        }
        switch result {
        case let .success(sealed):
            return submitted(sealed.receipt, of: tx, at: sealed.height)
        case let .failure(error):
            book.withLock { $0.refused(tx, outcome) }
            throw Self.callerError(error)
        }
    }

    /// The error a caller sees: the management contract's refusal as itself, a failed call as the engine
    /// names it, anything else as the producer said it.
    private static func callerError(_ error: any Error) -> any Error {
        switch error {
        case let TransactionRejection.governance(e): e
        case let TransactionRejection.callFailed(contract, version, reason): EngineError.callFailed(contract: contract, version: version, reason: reason)
        default: error
        }
    }

    /// Whether the sender's previous nonce is now committed, after waiting for it if it is still on its
    /// way. Taking the turn first lets a predecessor being checked in the turn right now finish becoming a
    /// flight (a vote queued outside the turn is one as soon as it is queued).
    private func predecessorLanded(_ tx: Transaction) async -> Bool {
        _ = try? await serialized {}
        let isPrevious = { (f: Flight) in f.sender == tx.sender && f.nonce + 1 == tx.nonce }
        if let previous = book.withLock({ $0.flights.values.first(where: isPrevious) ?? $0.parked.values.first(where: isPrevious) }) {
            _ = await previous.outcome.value()
        }
        return await platform.state().nextNonce(of: tx.sender) == tx.nonce
    }

    /// Generated traffic goes in as is: failed calls are recorded on chain, as real traffic's would be,
    /// and feed the health gates.
    public func submitTraffic(_ txs: [Transaction]) async -> [Receipt?] {
        let results = await platform.submit(batch: txs)
        for (tx, r) in zip(txs, results) where (try? r.get()) == nil { forgetNonces(of: tx.sender) }
        return results.map { try? $0.get() }
    }

    /// The transaction's receipt if it was committed after `since`: a client that lost its connection
    /// while waiting sends the same transaction again and gets what the first one got.
    private func committed(_ tx: Transaction, since: UInt64) async throws -> Submitted? {
        let head = await platform.state().height
        // Reconnecting takes seconds, not thousands of blocks; a longer search is not worth its reads.
        guard since <= head, head - since <= 4096 else { return nil }
        for h in (since...head).reversed() {
            let block = try await platform.block(at: h)
            if let i = block.transactions.firstIndex(where: { $0.id == tx.id }) {
                return submitted(block.receipts[i], of: tx, at: h)
            }
        }
        return nil
    }

    /// Claim 2: the engine checks its permission registry before it sends a management request.
    private func checkPermission(_ id: UInt64, holder name: String) async throws {
        let member = try await identity(name)
        guard let p = await platform.state().management.proposal(id) else { throw GovernanceError.unknownProposal(id) }
        guard member.role == .admin else { throw GovernanceError.notAdmin(name: name, role: member.role) }
        guard p.proposer == name else { throw GovernanceError.notProposer(proposal: id, proposer: p.proposer, caller: name) }
        await registryCaughtUp()
        // A vote that passed at its deadline grants its permission at the next block boundary, which
        // the execution's own block will be; check against the registry as it will be by then.
        let upcoming = registry.previewing(await platform.boundaryPreview())
        try upcoming.check(p, holder: name, now: await platform.now())
    }

    /// The reply: the receipt and the height of the block it was sealed in; the tally this transaction
    /// left (a vote's receipt records it), and the proposal as it stands when the reply is sent, which
    /// with shared blocks may already be a later block's.
    private nonisolated func submitted(_ receipt: Receipt, of tx: Transaction, at height: UInt64) -> Submitted {
        let id: UInt64?
        switch tx.payload {
        case .governance(.propose):
            id = receipt.events.lazy.compactMap { e -> UInt64? in
                if case let .governance(.proposalSubmitted(p, _, _, _, _)) = e { return p }
                return nil
            }.first
        case let .governance(.vote(p, _, _)), let .governance(.execute(p)), let .governance(.cancel(p)):
            id = p
        default:
            id = nil
        }
        guard let id, let p = platform.committed.management.proposal(id) else {
            return Submitted(receipt: receipt, height: height, proposal: nil, tally: nil)
        }
        let recorded = receipt.events.lazy.compactMap { e -> TallyView? in
            guard case let .governance(.tallyUpdated(q, approve, reject, abstain, total)) = e, q == id else { return nil }
            return TallyView(TallyCounts(approve: approve, reject: reject, abstain: abstain), total: total)
        }.last
        return Submitted(receipt: receipt, height: height, proposal: ProposalSummary(p, now: platform.committedNow),
                         tally: recorded ?? TallyView(p.tally, total: p.totalWeight))
    }

    // Callers see the management contract's refusal as itself, whichever layer found it.

    func dryRun(_ tx: Transaction) async throws -> Receipt {
        do { return try await platform.dryRun(tx) } catch let TransactionRejection.governance(error) { throw error }
    }

    public func isRetired(_ key: PublicKey) async -> Bool {
        await platform.state().management.retiredKeys.contains(key)
    }

    /// Records on chain any vote whose deadline passed and any permission that lapsed, in an empty block.
    /// The console and the service call this on their tick; it is a no-op when nothing is due.
    @discardableResult
    public func closeDue() async throws -> UInt64? {
        try await serialized { try await platform.sealIfDue()?.height }
    }
}
