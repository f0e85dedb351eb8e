/// Why a transaction was not admitted or not included. A rejected transaction leaves no trace on the ledger.
public enum TransactionRejection: Error, Hashable, Sendable, CustomStringConvertible {
    case oversize(bytes: Int, limit: Int)
    case malformed(String)
    case wrongChain
    case unknownSender(String)
    case badSignature(sender: String)
    case staleNonce(sender: String, expected: UInt64, got: UInt64)
    case nonceGap(sender: String, expected: UInt64, got: UInt64)
    case governance(GovernanceError)
    case unknownNode(String)
    /// Admitted by `node`, where the node routing policy in force sends it to `expected` (claim 6).
    case misrouted(node: String, expected: String)
    case wrongLane(Lane)
    case refusedByLogic(logic: String, reason: String)
    case notTheNode(sender: String, node: String)
    case chainHalted(String)
    /// The ordering service several engines share could not be reached; nothing was written.
    case orderUnavailable(String)
    /// Alone in a block, with its receipt, it is more than the ordering service takes in one entry.
    case blockTooLarge(bytes: Int, limit: Int)
    /// A contract call sent by hand that fails: refused rather than recorded, with the contract's reason.
    case callFailed(contract: String, version: String, reason: String)
    /// Forwarded to the engine that seals for the shared order, which refused it for `reason`.
    case refusedBySealer(node: String, reason: String)
    /// Too many transactions waiting for a block, from this sender (or from everyone when nil).
    case backlog(sender: String?, limit: Int)
    /// Node routing sent it to `node`, whose engine (another organisation's) refused it with its logic.
    case refusedByNode(node: String, reason: String)
    /// Node routing sent it to `node`, and no engine of that node answered, nor was it recorded down.
    case nodeDown(node: String, reason: String)
    /// Only a node itself may record itself up.
    case notTheNodeToRecordUp(sender: String, node: String)
    /// Only nodes record whether a node is up.
    case notANode(String)
    /// A node records another down only in a block it seals.
    case notTheSealer(sender: String, node: String)

    public var description: String {
        switch self {
        case let .oversize(bytes, limit): "transaction is \(bytes) bytes, over the \(limit)-byte limit; split it up"
        case let .malformed(reason): "malformed transaction (\(reason)); build it with govconsole or the engine API"
        case .wrongChain: "transaction is signed for another chain; sign it for this chain's genesis hash"
        case let .unknownSender(name): "unknown identity '\(name)'; run 'govconsole members' to list them"
        case let .badSignature(sender): "signature does not verify with \(sender)'s key; sign with \(sender)'s own key"
        case let .staleNonce(sender, expected, got): "nonce \(got) of \(sender) was already used (a replay); the next nonce is \(expected)"
        case let .nonceGap(sender, expected, got): "nonce \(got) of \(sender) skips ahead; the next nonce is \(expected)"
        case let .governance(e): e.description
        case let .unknownNode(name): "there is no node '\(name)'; run 'govconsole nodes' to list them"
        case let .misrouted(node, expected): "admitted by \(node), but the node routing policy sends it to \(expected); submit it through the service platform, which routes it"
        case let .refusedByLogic(logic, reason): "refused by node logic \(logic): \(reason)"
        case let .refusedBySealer(_, reason): reason
        case let .notTheNode(sender, node): "only \(node) itself may replace its logic, not \(sender); sign it with \(node)'s key"
        case let .wrongLane(lane): "governance transactions travel on the production lane, not \(lane.rawValue); send it on production"
        case let .callFailed(contract, version, reason): "\(contract) (\(version)) refused the call: \(reason); nothing was recorded"
        case let .chainHalted(reason): "the chain stopped accepting transactions: \(reason)"
        case let .blockTooLarge(bytes, limit): "its block, with what it records, would be \(bytes) bytes, over the \(limit) the ordering service takes in one entry; nothing was written: send it in smaller parts"
        case let .orderUnavailable(reason): "nothing was written, the ordering service did not answer: \(reason); reads still work, send it again once it answers"
        case let .backlog(sender?, limit): "\(sender) already has \(limit) transactions waiting for a block; wait for them to commit, then send more"
        case let .backlog(nil, limit): "\(limit) transactions are already waiting for a block; try again in a moment"
        case let .refusedByNode(node, reason): "refused by \(node), the node routing sent it to: \(reason)"
        case let .nodeDown(node, reason): "node routing sends it to \(node), whose engine did not answer (\(reason)) and is not yet recorded down; nothing was written: send it again in a few seconds, once routing passes over \(node), or start \(node)'s engine"
        case let .notTheSealer(sender, node): "\(sender) may record \(node) down only in a block \(sender) seals; the sealer does so for a node whose engine went quiet"
        case let .notANode(sender): "only a node of the consortium records whether a node is up, not \(sender); engines do so themselves"
        case let .notTheNodeToRecordUp(sender, node): "only \(node) itself may record itself up, not \(sender); its engine does so when it starts"
        }
    }
}
