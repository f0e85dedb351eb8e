import EmbeddedChain
import Foundation

// Proposal, vote, execution and cancellation requests. Each is checked by a dry run against the chain
// before it is sent, so a refused request never reaches the ledger and reports the contract's own error.
extension GovernanceEngine {
    /// The member `name`, or an error listing who can be named.
    func identity(_ name: String) async throws -> Member {
        let members = await chain.state.management.members
        guard let m = members[name] else {
            let known = members.values.filter { $0.role != .node }.map(\.name).sorted()
            throw EngineError.unknownIdentity(name, known: known)
        }
        return m
    }

    /// Signs `payload` as `name` with its key from the keystore, at its next nonce.
    func sign(_ payload: Payload, as name: String, lane: Lane = .production) async throws -> Transaction {
        let key = try keystore.load(name)
        let state = await chain.state
        let nonce = max(state.nextNonce(of: name), (issuedNonces[name] ?? 0) + 1)
        issuedNonces[name] = nonce
        return Transaction.signed(chain: state.genesisHash, sender: name, nonce: nonce, lane: lane, payload: payload, key: key)
    }

    /// Forgets handed-out nonces after a refusal, so the sender's next transaction starts from the chain's.
    func forgetNonces(of name: String) { issuedNonces[name] = nil }

    /// Dry-runs, then submits through the platform and waits for the durable receipt. `beforeSubmit` runs
    /// between the two, once the request is known to be acceptable.
    func send(_ payload: Payload, as name: String, beforeSubmit: () throws -> Void = {}) async throws -> (Transaction, Receipt) {
        let tx = try await sign(payload, as: name)
        do {
            _ = try await dryRun(tx)
            try beforeSubmit()
            return (tx, try await submit(tx))
        } catch {
            forgetNonces(of: name)
            throw error
        }
    }

    // Callers see the management contract's refusal as itself, whichever layer found it.

    func dryRun(_ tx: Transaction) async throws -> Receipt {
        do { return try await platform.dryRun(tx) } catch let TransactionRejection.governance(error) { throw error }
    }

    func submit(_ tx: Transaction) async throws -> Receipt {
        do { return try await platform.submit(tx) } catch let TransactionRejection.governance(error) { throw error }
    }

    /// The key a new member will sign with: the keystore's, if it already holds one for `name`,
    /// else a fresh one that `propose` stores once the proposal is accepted.
    public func memberKey(for name: String) async throws -> (PublicKey, SigningKey?) {
        if let reason = Names.validate(name) { throw GovernanceError.invalidName(reason) }
        if keystore.contains(name) {
            let existing = try keystore.load(name).publicKey
            // A removed member's key is never trusted again; the new member gets a new one.
            if await !chain.state.management.retiredKeys.contains(existing) { return (existing, nil) }
        }
        let key = SigningKey()
        return (key.publicKey, key)
    }

    /// Claim 1: submits a proposal; the management contract emits one `VoteRequested` per eligible voter.
    public func propose(_ operation: ManagementOperation, as name: String, newMemberKey: SigningKey? = nil) async throws -> ProposalSummary {
        try await serialized {
            _ = try await identity(name)
            let (_, receipt) = try await send(.governance(.propose(operation)), as: name) {
                if let newMemberKey { try keystore.store(newMemberKey, for: operation.target) }
            }
            guard let id = receipt.events.lazy.compactMap({ e -> UInt64? in
                if case let .governance(.proposalSubmitted(p, _, _, _, _)) = e { return p }
                return nil
            }).first else { throw TransactionRejection.chainHalted("the proposal was not recorded") }
            let state = await chain.state
            return ProposalSummary(state.management.proposal(id)!, now: await chain.now())
        }
    }

    /// Answers the caller's `VoteRequested` event of proposal `id`.
    public func vote(_ id: UInt64, _ word: String, as name: String) async throws -> VoteResult {
        guard let choice = Choice(rawValue: word.lowercased()) else { throw EngineError.unknownChoice(word) }
        return try await serialized {
            _ = try await identity(name)
            let request = await chain.state.management.proposal(id)?.elector(name)?.request ?? 0
            let (tx, _) = try await send(.governance(.vote(proposal: id, request: request, choice: choice)), as: name)
            let state = await chain.state
            let p = state.management.proposal(id)!
            return VoteResult(proposal: id, voter: name, choice: choice.rawValue, status: p.status(at: await chain.now()).rawValue,
                              tally: TallyView(p.tally, total: p.totalWeight), height: state.height, tx: tx.id.hex)
        }
    }

    /// Claim 2: the management request. The engine checks its permission registry first; the management
    /// contract checks the permission again on chain before it applies the operation.
    public func execute(_ id: UInt64, as name: String) async throws -> ActionResult {
        try await serialized {
            let member = try await identity(name)
            guard let p = await chain.state.management.proposal(id) else { throw GovernanceError.unknownProposal(id) }
            guard member.role == .admin else { throw GovernanceError.notAdmin(name: name, role: member.role) }
            guard p.proposer == name else { throw GovernanceError.notProposer(proposal: id, proposer: p.proposer, caller: name) }
            await registryCaughtUp()
            // A vote that passed at its deadline grants its permission at the next block boundary, which
            // the execution's own block will be; check against the registry as it will be by then.
            let upcoming = registry.previewing(await chain.boundaryPreview())
            try upcoming.check(p, holder: name, now: await chain.now())
            let (tx, _) = try await send(.governance(.execute(proposal: id)), as: name)
            if case let .removeMember(removed) = p.operation { keystore.retire(removed, at: await chain.state.height) }
            return ActionResult(proposal: id, operation: p.operation.kind.rawValue, target: p.operation.target,
                                status: ProposalStatus.executed.rawValue, by: name, height: await chain.state.height, tx: tx.id.hex)
        }
    }

    /// Withdraws a proposal that is still being voted on; only its proposer may.
    public func cancel(_ id: UInt64, as name: String) async throws -> ActionResult {
        try await serialized {
            _ = try await identity(name)
            let (tx, _) = try await send(.governance(.cancel(proposal: id)), as: name)
            let p = await chain.state.management.proposal(id)!
            return ActionResult(proposal: id, operation: p.operation.kind.rawValue, target: p.operation.target,
                                status: ProposalStatus.canceled.rawValue, by: name, height: await chain.state.height, tx: tx.id.hex)
        }
    }

    /// Records on chain any vote whose deadline passed and any permission that lapsed, in an empty block.
    /// The console calls this on its tick; it is a no-op when nothing is due.
    @discardableResult
    public func closeDue() async throws -> UInt64? {
        try await serialized { try await chain.sealIfDue()?.height }
    }
}
