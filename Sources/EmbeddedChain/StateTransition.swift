import ChainModel
import ChainPrimitives
import ContractRuntime
import Governance
import Rollout

/// The deterministic rules that take the chain from one state to the next. The block producer and the
/// replay on open run the same code, so a replayed ledger reproduces every receipt byte for byte.
public enum StateTransition {
    /// Checks every version of node logic makes: size, signature, sender, chain, lane and nonce.
    /// `verifiedKey` is the key the signature was already checked with, in parallel, before ordering; the
    /// check is skipped only when it is still the sender's key.
    public static func validate(_ tx: Transaction, encodedSize: Int, in s: ChainState, verifiedKey: PublicKey? = nil) throws(TransactionRejection) {
        guard encodedSize <= Limits.maxTransactionBytes else {
            throw .oversize(bytes: encodedSize, limit: Limits.maxTransactionBytes)
        }
        guard tx.chain == s.genesisHash else { throw .wrongChain }
        guard let member = s.management.members[tx.sender] else { throw .unknownSender(tx.sender) }
        guard member.publicKey == verifiedKey || member.publicKey.isValidSignature(tx.signature, for: tx.signingBytes) else {
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

    /// Applies one transaction admitted by `node`. Throws, leaving the state untouched, when it must not
    /// be included. A contract call that fails is included, with a failed receipt: it used its fuel;
    /// unless `refusingFailedCall`, for a call made by hand whose sender wants the reason, not a record.
    /// `checkingRouting` is false only to replay blocks sealed before routing was checked (format 3).
    static func apply(_ tx: Transaction, encodedSize: Int, node: String, _ s: inout ChainState, _ ctx: BlockContext,
                      runtime: ContractRuntime, verifiedKey: PublicKey? = nil, refusingFailedCall: Bool = false,
                      checkingRouting: Bool = true) throws(TransactionRejection) -> Receipt {
        guard let nodeIndex = s.nodes.firstIndex(where: { $0.name == node }) else { throw .unknownNode(node) }
        if checkingRouting {
            // Claim 6 on chain: the producer and replay alike refuse a node the policy in this state does not pick.
            let routed = NodeRouting.node(for: tx, fleet: s.nodes, policy: s.management.nodeRouting)
            guard node == routed else { throw .misrouted(node: node, expected: routed) }
        }
        let nodeRecord = s.nodes[nodeIndex]
        guard let logic = NodeLogics.named(nodeRecord.logic) else { throw .chainHalted("node \(node) runs unknown logic \(nodeRecord.logic)") }
        try validate(tx, encodedSize: encodedSize, in: s, verifiedKey: verifiedKey)
        if case let .call(call) = tx.payload { try logic.admit(call, encodedSize: encodedSize) }
        let member = s.management.members[tx.sender]!

        var receipt: Receipt
        switch tx.payload {
        case let .governance(call):
            let caller = Caller(name: tx.sender, role: member.role, key: member.publicKey)
            do {
                let events = try ManagementContract.execute(call, caller: caller, ctx, &s.management, fleet: s.nodes, codeCheck: checkCode)
                receipt = Receipt(tx: tx.id, node: node, logic: nodeRecord.logic, ok: true, error: nil, events: events.map(ChainEvent.governance))
            } catch {
                throw .governance(error)
            }
        case let .call(call):
            receipt = try runCall(call, tx, node: nodeRecord, &s, runtime, refusingFailure: refusingFailedCall)
        case let .setNodeLogic(target, version, fault):
            guard member.role == .node, tx.sender == target else { throw .notTheNode(sender: tx.sender, node: target) }
            guard NodeLogics.named(version) != nil else { throw .governance(.unknownLogic(version)) }
            guard fault <= Ratio.denominator else { throw .malformed("fault rate above 1") }
            let i = s.nodes.firstIndex { $0.name == target }!
            s.nodes[i].logic = version
            s.nodes[i].faultRate = fault
            receipt = Receipt(tx: tx.id, node: node, logic: nodeRecord.logic, ok: true, error: nil,
                              events: [.governance(.nodeLogicChanged(node: target, logic: version, faultRate: fault))])
        case let .setNodeAvailability(target, online):
            // A node vouches for itself either way, and for another only that it is down, and only in a
            // block it seals itself (in a cluster, the sealer, which watches every engine's presence):
            // nobody routes traffic to a node against its will, and no node can keep others down by
            // sending records through someone else's blocks.
            guard member.role == .node else { throw .notANode(tx.sender) }
            guard tx.sender == target || !online else { throw .notTheNodeToRecordUp(sender: tx.sender, node: target) }
            guard tx.sender == target || ctx.proposer == tx.sender else { throw .notTheSealer(sender: tx.sender, node: target) }
            guard let i = s.nodes.firstIndex(where: { $0.name == target }) else { throw .unknownNode(target) }
            // Several engines may notice the same thing; only the first to be sealed records it.
            guard s.nodes[i].online != online else { throw .malformed("\(target) is already recorded \(online ? "up" : "down")") }
            s.nodes[i].online = online
            receipt = Receipt(tx: tx.id, node: node, logic: nodeRecord.logic, ok: true, error: nil,
                              events: [.governance(.nodeAvailabilityChanged(node: target, online: online, by: tx.sender))])
        }
        s.nonces[tx.sender] = tx.nonce
        s.nodes[nodeIndex].transactionsHandled += 1
        s.transactionCount += 1
        return receipt
    }

    /// Claim 4: the management contract's routing policy picks the version for this transaction's lane;
    /// the node runs it with its logic; the outcome feeds both versions' health gates.
    private static func runCall(_ call: ContractCall, _ tx: Transaction, node: NodeRecord, _ s: inout ChainState,
                                _ runtime: ContractRuntime, refusingFailure: Bool) throws(TransactionRejection) -> Receipt {
        guard let contract = s.management.contracts[call.contract] else { throw .governance(.unknownContract(call.contract)) }
        let version = contract.routing.version(for: tx.id, lane: tx.lane)
        let hash = contract.code[version]!
        var outcome: ContractRuntime.Outcome
        let injected = node.faultRate > 0 && faultBucket(tx.id) < node.faultRate
        if injected {
            outcome = .init(ok: false, error: "\(node.name) (logic \(node.logic)) failed to process the call: injected fault",
                            fuel: 0, writes: [:], events: [])
        } else {
            outcome = runtime.call(code: s.management.code[hash]!, hash: hash, function: call.function, args: call.args,
                                   caller: tx.sender, storage: s.contractStorage[call.contract] ?? [:])
        }
        // Refused before anything is written: the state is untouched, as for every other refusal.
        if refusingFailure, !outcome.ok {
            throw .callFailed(contract: call.contract, version: version, reason: outcome.error ?? "failed")
        }
        if outcome.ok {
            for (k, v) in outcome.writes { s.contractStorage[call.contract, default: [:]][k] = v }
        }
        var events = outcome.events.map { ChainEvent.contract(ContractEvent(contract: call.contract, version: version, topic: $0.topic, data: $0.data)) }
        if !injected {
            events += ManagementContract.recordCall(contract: call.contract, version: version, failed: !outcome.ok, fuel: outcome.fuel, &s.management)
                .map(ChainEvent.governance)
        }
        events += ManagementContract.recordNodeCall(logic: node.logic, failed: injected, &s.management).map(ChainEvent.governance)
        return Receipt(tx: tx.id, node: node.name, logic: node.logic, ok: outcome.ok, error: outcome.error, events: events,
                       call: CallReceipt(contract: call.contract, version: version, function: call.function, fuel: outcome.fuel, result: outcome.result))
    }

    /// The management contract's check of deployed code: the contract runtime's own validation.
    static func checkCode(_ code: [UInt8]) throws(GovernanceError) {
        _ = try ContractRuntime.validate(code)
    }

    /// 0–999,999 from the transaction id, independent of the routing bucket.
    static func faultBucket(_ id: Hash256) -> UInt64 {
        id.bytes[16..<24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % Ratio.denominator
    }
}
