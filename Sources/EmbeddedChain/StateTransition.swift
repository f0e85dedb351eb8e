/// The deterministic rules that take the chain from one state to the next. The block producer and the
/// replay on open run the same code, so a replayed ledger reproduces every receipt byte for byte.
public enum StateTransition {
    /// Checks every version of node logic makes: size, signature, sender, chain and nonce.
    public static func validate(_ tx: Transaction, encodedSize: Int, in s: ChainState) throws(TransactionRejection) {
        guard encodedSize <= Limits.maxTransactionBytes else {
            throw .oversize(bytes: encodedSize, limit: Limits.maxTransactionBytes)
        }
        guard tx.chain == s.genesisHash else { throw .wrongChain }
        guard let member = s.management.members[tx.sender] else { throw .unknownSender(tx.sender) }
        guard member.publicKey.isValidSignature(tx.signature, for: tx.signingBytes) else {
            throw .badSignature(sender: tx.sender)
        }
        if case .governance = tx.payload, tx.lane != .production { throw .wrongLane(tx.lane) }
        let expected = s.nextNonce(of: tx.sender)
        if tx.nonce < expected { throw .staleNonce(sender: tx.sender, expected: expected, got: tx.nonce) }
        if tx.nonce > expected { throw .nonceGap(sender: tx.sender, expected: expected, got: tx.nonce) }
    }

    public static func hasDue(_ s: ChainState, _ ctx: BlockContext) -> Bool {
        ManagementContract.hasDue(s.management, ctx)
    }

    public static func beginBlock(_ s: inout ChainState, _ ctx: BlockContext) -> [ChainEvent] {
        ManagementContract.beginBlock(&s.management, ctx).map(ChainEvent.governance)
    }

    /// Applies one transaction admitted by `node`. Throws, leaving the state untouched, when it must not be included.
    public static func apply(_ tx: Transaction, encodedSize: Int, node: String, _ s: inout ChainState, _ ctx: BlockContext) throws(TransactionRejection) -> Receipt {
        guard let nodeIndex = s.nodes.firstIndex(where: { $0.name == node }) else { throw .unknownNode(node) }
        let logicVersion = s.nodes[nodeIndex].logic
        guard let logic = NodeLogics.named(logicVersion) else { throw .chainHalted("node \(node) runs unknown logic \(logicVersion)") }
        try validate(tx, encodedSize: encodedSize, in: s)
        try logic.admit(tx, encodedSize: encodedSize)
        let member = s.management.members[tx.sender]!
        let caller = Caller(name: tx.sender, role: member.role, key: member.publicKey)

        let events: [ChainEvent]
        switch tx.payload {
        case let .governance(call):
            do {
                events = try ManagementContract.execute(call, caller: caller, ctx, &s.management).map(ChainEvent.governance)
            } catch {
                throw .governance(error)
            }
        }
        s.nonces[tx.sender] = tx.nonce
        s.nodes[nodeIndex].transactionsHandled += 1
        s.transactionCount += 1
        return Receipt(tx: tx.id, node: node, logic: logicVersion, ok: true, error: nil, events: events)
    }
}
