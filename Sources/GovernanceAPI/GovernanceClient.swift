import ChainModel
import ChainPrimitives
import DurableStorage
import Governance

/// What the console and the CLI call: requests signed here, with this terminal's own keystore, and
/// handed to a backend — the engine in this process, or a service many terminals share. A member's key
/// never leaves its keystore; a client without a member's key can watch but not act as that member.
public final class GovernanceClient: Sendable {
    public let backend: any GovernanceBackend
    public let keystore: Keystore
    /// Turns a contract's source into code for a deployment proposal. Supplied by whoever builds the
    /// client, so a terminal that links no Wasm toolchain (the console) still signs everything else.
    public let compiler: (any ContractCompiler)?

    public init(backend: any GovernanceBackend, keystore: Keystore, compiler: (any ContractCompiler)? = nil) {
        self.backend = backend
        self.keystore = keystore
        self.compiler = compiler
    }
    public var endpoint: Endpoint { backend.endpoint }

    public func close() async { await backend.close() }

    // MARK: Signing

    /// Signs the payload `make` builds as `name`, at the nonce the backend hands out, and submits it.
    private func send(as name: String, lane: Lane = .production, proposal: UInt64? = nil,
                      beforeSubmit: () throws -> Void = {},
                      _ make: (SigningContext) -> Payload) async throws -> (Transaction, Submitted) {
        let context = try await backend.signingContext(for: name, proposal: proposal)
        let tx: Transaction
        do {
            let key = try keystore.load(name)
            try beforeSubmit()
            tx = Transaction.signed(chain: context.chain, sender: name, nonce: context.nonce, lane: lane, payload: make(context), key: key)
        } catch {
            try? await backend.release(context)
            throw error
        }
        return (tx, try await backend.submit(tx, since: context.height))
    }

    // MARK: Requests

    /// Claim 1: submits a proposal; the management contract emits one `VoteRequested` per eligible voter.
    /// `newMemberKey`, for an added member, is stored in this keystore before the proposal is sent.
    public func propose(_ operation: ManagementOperation, as name: String, newMemberKey: SigningKey? = nil) async throws -> ProposalSummary {
        let (_, s) = try await send(as: name, beforeSubmit: {
            if let newMemberKey { try keystore.store(newMemberKey, for: operation.target) }
        }) { _ in .governance(.propose(operation)) }
        guard let p = s.proposal else { throw TransactionRejection.chainHalted("the proposal was not recorded") }
        return p
    }

    /// Answers the caller's `VoteRequested` event of proposal `id`.
    public func vote(_ id: UInt64, _ word: String, as name: String) async throws -> VoteResult {
        guard let choice = Choice(rawValue: word.lowercased()) else { throw EngineError.unknownChoice(word) }
        let (tx, s) = try await send(as: name, proposal: id) { .governance(.vote(proposal: id, request: $0.voteRequest ?? 0, choice: choice)) }
        return VoteResult(proposal: id, voter: name, choice: choice.rawValue, status: s.proposal?.status ?? "",
                          tally: s.tally ?? TallyView(approve: 0, reject: 0, abstain: 0, voted: 0, total: 0), height: s.height, tx: tx.id.hex)
    }

    /// Claim 2: the management request, checked against the permission registry and then on chain.
    public func execute(_ id: UInt64, as name: String) async throws -> ActionResult {
        let (tx, s) = try await send(as: name) { _ in .governance(.execute(proposal: id)) }
        if s.proposal?.operation == OperationKind.removeMember.rawValue, let removed = s.proposal?.target {
            keystore.retire(removed, at: s.height)
        }
        return ActionResult(s, tx: tx, status: .executed, by: name)
    }

    /// Withdraws a proposal that is still being voted on; only its proposer may.
    public func cancel(_ id: UInt64, as name: String) async throws -> ActionResult {
        let (tx, s) = try await send(as: name) { _ in .governance(.cancel(proposal: id)) }
        return ActionResult(s, tx: tx, status: .canceled, by: name)
    }

    /// Calls a contract function on a lane. A call that would fail is refused with the contract's own
    /// message and nothing is written.
    public func call(_ contract: String, _ function: String, args: [String], lane: Lane, as name: String) async throws -> CallResult {
        let (tx, s) = try await send(as: name, lane: lane) { _ in .call(ContractCall(contract: contract, function: function, args: args)) }
        return CallResult(tx, s.receipt)
    }

    /// Replaces a node's transaction-processing logic, as the platform operator does: signed by the node's
    /// own key and recorded on chain. `faultRate` injects failures into the contract calls it processes.
    public func setNodeLogic(_ node: String, _ version: String, faultRate: Ratio = Ratio(ppm: 0)!) async throws -> NodeView {
        guard try await backend.nodes().contains(where: { $0.name == node }) else { throw TransactionRejection.unknownNode(node) }
        _ = try await send(as: node) { _ in .setNodeLogic(node: node, logic: version, faultRate: faultRate.ppm) }
        guard let view = try await backend.nodes().first(where: { $0.name == node }) else { throw TransactionRejection.unknownNode(node) }
        return view
    }

    /// The key a new member will sign with: this keystore's, if it already holds one for `name` that no
    /// removed member used, else a fresh one that `propose` stores once the proposal is accepted.
    public func memberKey(for name: String) async throws -> (PublicKey, SigningKey?) {
        if let reason = Names.validate(name) { throw GovernanceError.invalidName(reason) }
        if keystore.contains(name) {
            let existing = try keystore.load(name).publicKey
            if try await !backend.isRetired(existing) { return (existing, nil) }
        }
        let key = SigningKey()
        return (key.publicKey, key)
    }

    /// Signs and submits one generated call; nil when it was refused.
    func sendTraffic(_ call: ContractCall, lane: Lane, as name: String, key: SigningKey) async -> Receipt? {
        guard let context = try? await backend.signingContext(for: name, proposal: nil) else { return nil }
        let tx = Transaction.signed(chain: context.chain, sender: name, nonce: context.nonce, lane: lane, payload: .call(call), key: key)
        return (try? await backend.submitTraffic([tx]))?.first ?? nil
    }

    // MARK: Reading

    public func proposals(status: ProposalStatus? = nil) async throws -> [ProposalSummary] { try await backend.proposals(status: status) }
    public func proposal(_ id: UInt64) async throws -> ProposalDetail { try await backend.proposal(id) }
    public func events(proposal: UInt64) async throws -> [EventView] { try await backend.events(proposal: proposal) }
    public func events(from height: UInt64, limit: Int) async throws -> EventPage { try await backend.events(from: height, limit: limit) }
    public func votes(of name: String) async throws -> [UInt64: String] { try await backend.votes(of: name) }
    public func status() async throws -> StatusView { try await backend.status() }
    public func members() async throws -> [MemberView] { try await backend.members() }
    public func nodes() async throws -> [NodeView] { try await backend.nodes() }
    public func blocks(from height: UInt64 = 0, limit: Int = 1000) async throws -> [BlockView] { try await backend.blocks(from: height, limit: limit) }
    public func routing() async throws -> RoutingView { try await backend.routing() }
    public func initSummary() async throws -> InitResult { try await backend.initSummary() }
    @discardableResult
    public func closeDue() async throws -> UInt64? { try await backend.closeDue() }
    public func feed(from height: UInt64) async -> AsyncStream<FeedItem> { await backend.feed(from: height) }
}

extension ActionResult {
    init(_ s: Submitted, tx: Transaction, status: ProposalStatus, by name: String) {
        self.init(proposal: s.proposal?.id ?? 0, operation: s.proposal?.operation ?? "", target: s.proposal?.target ?? "",
                  status: status.rawValue, by: name, height: s.height, tx: tx.id.hex)
    }
}
