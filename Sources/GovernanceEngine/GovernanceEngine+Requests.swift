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
        let nonce = max(state.nextNonce(of: sender), (issuedNonces[sender] ?? 0) + 1)
        issuedNonces[sender] = nonce
        return SigningContext(chain: state.genesisHash, sender: sender, nonce: nonce, height: state.height,
                              voteRequest: proposal.flatMap { state.management.proposal($0)?.elector(sender)?.request })
    }

    public func release(_ context: SigningContext) {
        if issuedNonces[context.sender] == context.nonce { issuedNonces[context.sender] = context.nonce - 1 }
    }

    /// Forgets handed-out nonces after a refusal, so the sender's next transaction starts from the chain's,
    /// or from the last one it still has on its way: queued, being queued, or parked.
    func forgetNonces(of name: String) {
        let live = flights.values.lazy.map { ($0.sender, $0.nonce) } + parked.values.lazy.map { ($0.sender, $0.nonce) }
        issuedNonces[name] = live.filter { $0.0 == name }.map(\.1).max()
    }

    /// Claims 1 and 2 on the engine's side: a proposal, vote, execution or cancellation, or any other
    /// signed request. An execution is checked against the permission registry first; the management
    /// contract checks the permission again on chain before it applies the operation. The request holds
    /// the turn until it is queued for the next hand-off to the platform, then waits for its block to be
    /// durable outside it.
    public nonisolated func submit(_ tx: Transaction, since: UInt64) async throws -> Submitted {
        // Verified here, on the caller's task, before the turn: requests arriving together verify on every
        // core, once, and neither the turn nor the chain's thread spends time on it.
        let signature = SignatureCheck.verify(tx, members: platform.committed.management.members)
        return try await submit(tx, since: since, signature: signature, checkedOnce: false)
    }

    private func submit(_ tx: Transaction, since: UInt64, signature: SignatureCheck?, checkedOnce: Bool) async throws -> Submitted {
        switch try await serialized({ try await admit(tx, since: since, signature: signature, checkedOnce: checkedOnce) }) {
        case let .queued(settled):
            return try await settled.value
        case let .after(ahead):
            // Checked against the committed state, a request may fail for what a request queued ahead of it
            // is about to change (a transfer of funds an issue queued ahead creates). It waits for those,
            // parked outside the turn so everyone else's requests keep sharing blocks, and is checked once more.
            let retry = Task {
                for flight in ahead { _ = try? await flight.value }
                return try await self.submit(tx, since: since, signature: signature, checkedOnce: true)
            }
            parked[tx.id] = Flight(sender: tx.sender, nonce: tx.nonce, settled: retry)
            defer { parked[tx.id] = nil }
            return try await retry.value
        }
    }

    /// What a request's turn ended with: queued for a block, or to be checked again once the requests
    /// queued ahead of it have landed.
    private enum Admission {
        case queued(Task<Submitted, any Error>)
        case after([Task<Submitted, any Error>])
    }

    /// Within the turn: a transaction sent again joins the first one's wait, or finds it committed;
    /// anything else is checked and queued.
    private func admit(_ tx: Transaction, since: UInt64, signature: SignatureCheck?, checkedOnce: Bool) async throws -> Admission {
        if let flight = flights[tx.id] ?? (checkedOnce ? nil : parked[tx.id]) { return .queued(flight.settled) }
        if tx.nonce < platform.committed.nextNonce(of: tx.sender), let earlier = try await committed(tx, since: since) {
            return .queued(Task { earlier })
        }
        do {
            try await check(tx, signature: signature)
        } catch where !checkedOnce && !flights.isEmpty && !Self.noRequestAheadCures(error) {
            return .after(flights.values.map(\.settled))
        } catch {
            parked[tx.id] = nil
            forgetNonces(of: tx.sender)
            throw error
        }
        // The dry run saw the committed state; what is queued ahead may still make a call fail when it is
        // sealed. It is then refused, as the dry run would have, rather than recorded.
        let slot = queueForBlock(tx, signature)
        let settled = Task { try await self.settle(tx, await slot.results.result(at: slot.index)) }
        flights[tx.id] = Flight(sender: tx.sender, nonce: tx.nonce, settled: settled)
        return .queued(settled)
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

    /// Waits, outside the turn, for the block the queued request went into; the producer has the last word.
    private func settle(_ tx: Transaction, _ handed: Result<ServicePlatform.Sealed, any Error>) async throws -> Submitted {
        var result = handed
        if case .failure(TransactionRejection.nonceGap) = result, await predecessorLanded(tx) {
            // Sealed ahead of its predecessor, which arrived later or was routed again: send it again, once.
            result = await platform.results(of: await platform.enqueue([tx], verified: false, refusingFailedCalls: true))[0]
        }
        landed(tx.id)
        switch result {
        case let .success(sealed):
            return await submitted(sealed.receipt, of: tx, at: sealed.height)
        case let .failure(TransactionRejection.governance(error)):
            forgetNonces(of: tx.sender)
            throw error
        case let .failure(TransactionRejection.callFailed(contract, version, reason)):
            forgetNonces(of: tx.sender)
            throw EngineError.callFailed(contract: contract, version: version, reason: reason)
        case let .failure(error):
            forgetNonces(of: tx.sender)
            throw error
        }
    }

    /// Whether the sender's previous nonce is now committed, after waiting for it if it is still on its
    /// way. Taking the turn first lets a predecessor being queued right now finish becoming a flight.
    private func predecessorLanded(_ tx: Transaction) async -> Bool {
        _ = try? await serialized {}
        let isPrevious = { (f: Flight) in f.sender == tx.sender && f.nonce + 1 == tx.nonce }
        if let previous = flights.values.first(where: isPrevious) ?? parked.values.first(where: isPrevious) {
            _ = try? await previous.settled.value
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
                return await submitted(block.receipts[i], of: tx, at: h)
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
    private func submitted(_ receipt: Receipt, of tx: Transaction, at height: UInt64) async -> Submitted {
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

/// A request queued for a block: whose nonce it uses, and the wait for its block.
struct Flight {
    let sender: String
    let nonce: UInt64
    let settled: Task<Submitted, any Error>
}
