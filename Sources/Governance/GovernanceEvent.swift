import ChainPrimitives
import Rollout

/// Every state change of the management contract, announced as a typed event (Cosmos `types/events.go`).
/// Events are part of receipts, so the ledger holds the whole story of every proposal.
public enum GovernanceEvent: Hashable, Sendable {
    case proposalSubmitted(proposal: UInt64, proposer: String, operation: OperationKind, target: String, deadline: UInt64)
    case voteRequested(proposal: UInt64, voter: String, weight: UInt64, request: UInt64)
    case voteCast(proposal: UInt64, voter: String, choice: Choice, weight: UInt64, request: UInt64)
    case tallyUpdated(proposal: UInt64, approve: UInt64, reject: UInt64, abstain: UInt64, total: UInt64)
    case proposalPassed(proposal: UInt64)
    case proposalRejected(proposal: UInt64)
    case proposalExpired(proposal: UInt64)
    case proposalCanceled(proposal: UInt64, by: String)
    case permissionGranted(proposal: UInt64, holder: String, operation: OperationKind, target: String, expires: UInt64)
    case permissionConsumed(proposal: UInt64, holder: String)
    case permissionExpired(proposal: UInt64, holder: String)
    case operationExecuted(proposal: UInt64, operation: OperationKind, target: String)
    case contractDeployed(proposal: UInt64, contract: String, version: String, code: String)
    /// A routing policy switched (claims 4 and 6): a contract's, or the nodes' (`target` "nodes").
    case routingChanged(proposal: UInt64, target: String, stage: RolloutStage, old: String, new: String,
                        prerelease: UInt8, gray: UInt8, production: UInt8)
    /// Every lane back on the old version: by a rollback proposal, or by the health gate under the
    /// pre-authorisation of the upgrade proposal that set the stage.
    case rollbackTriggered(proposal: UInt64, target: String, automatic: Bool, reason: String)
    /// The platform operator replaced a node's transaction-processing logic.
    case nodeLogicChanged(node: String, logic: String, faultRate: UInt64)
    /// A node recorded as up or down for node routing, and by which node.
    case nodeAvailabilityChanged(node: String, online: Bool, by: String)

    /// The event's type name as users and scripts see it.
    public var name: String {
        switch self {
        case .proposalSubmitted: "ProposalSubmitted"
        case .voteRequested: "VoteRequested"
        case .voteCast: "VoteCast"
        case .tallyUpdated: "TallyUpdated"
        case .proposalPassed: "ProposalPassed"
        case .proposalRejected: "ProposalRejected"
        case .proposalExpired: "ProposalExpired"
        case .proposalCanceled: "ProposalCanceled"
        case .permissionGranted: "PermissionGranted"
        case .permissionConsumed: "PermissionConsumed"
        case .permissionExpired: "PermissionExpired"
        case .operationExecuted: "OperationExecuted"
        case .contractDeployed: "ContractDeployed"
        case .routingChanged: "RoutingChanged"
        case .rollbackTriggered: "RollbackTriggered"
        case .nodeLogicChanged: "NodeLogicChanged"
        case .nodeAvailabilityChanged: "NodeAvailabilityChanged"
        }
    }

    public var proposal: UInt64? {
        switch self {
        case let .proposalSubmitted(p, _, _, _, _), let .voteRequested(p, _, _, _), let .voteCast(p, _, _, _, _),
             let .tallyUpdated(p, _, _, _, _), let .proposalPassed(p), let .proposalRejected(p), let .proposalExpired(p),
             let .proposalCanceled(p, _), let .permissionGranted(p, _, _, _, _), let .permissionConsumed(p, _),
             let .permissionExpired(p, _), let .operationExecuted(p, _, _), let .contractDeployed(p, _, _, _),
             let .routingChanged(p, _, _, _, _, _, _, _), let .rollbackTriggered(p, _, _, _):
            p
        case .nodeLogicChanged, .nodeAvailabilityChanged:
            nil
        }
    }

    /// The event's fields in a stable order, for JSON and for the feed.
    public var fields: [(String, EventValue)] {
        switch self {
        case let .proposalSubmitted(p, proposer, op, target, deadline):
            [("proposal", .int(p)), ("proposer", .text(proposer)), ("operation", .text(op.rawValue)),
             ("target", .text(target)), ("deadline", .time(deadline))]
        case let .voteRequested(p, voter, weight, request):
            [("proposal", .int(p)), ("voter", .text(voter)), ("weight", .int(weight)), ("request", .int(request))]
        case let .voteCast(p, voter, choice, weight, request):
            [("proposal", .int(p)), ("voter", .text(voter)), ("choice", .text(choice.rawValue)),
             ("weight", .int(weight)), ("request", .int(request))]
        case let .tallyUpdated(p, a, r, ab, total):
            [("proposal", .int(p)), ("approve", .int(a)), ("reject", .int(r)), ("abstain", .int(ab)), ("total", .int(total))]
        case let .proposalPassed(p), let .proposalRejected(p), let .proposalExpired(p):
            [("proposal", .int(p))]
        case let .proposalCanceled(p, by):
            [("proposal", .int(p)), ("by", .text(by))]
        case let .permissionGranted(p, holder, op, target, expires):
            [("proposal", .int(p)), ("holder", .text(holder)), ("operation", .text(op.rawValue)),
             ("target", .text(target)), ("expires", .time(expires))]
        case let .permissionConsumed(p, holder), let .permissionExpired(p, holder):
            [("proposal", .int(p)), ("holder", .text(holder))]
        case let .operationExecuted(p, op, target):
            [("proposal", .int(p)), ("operation", .text(op.rawValue)), ("target", .text(target))]
        case let .contractDeployed(p, contract, version, code):
            [("proposal", .int(p)), ("contract", .text(contract)), ("version", .text(version)), ("code", .text(code))]
        case let .routingChanged(p, target, stage, old, new, pre, gray, prod):
            [("proposal", .int(p)), ("target", .text(target)), ("stage", .text(stage.rawValue)), ("old", .text(old)),
             ("new", .text(new)), ("prerelease", .int(UInt64(pre))), ("gray", .int(UInt64(gray))), ("production", .int(UInt64(prod)))]
        case let .rollbackTriggered(p, target, automatic, reason):
            [("proposal", .int(p)), ("target", .text(target)), ("automatic", .text(automatic ? "yes" : "no")), ("reason", .text(reason))]
        case let .nodeLogicChanged(node, logic, fault):
            [("node", .text(node)), ("logic", .text(logic)), ("faultRate", .text(Ratio(ppm: fault).map { "\($0)" } ?? "?"))]
        case let .nodeAvailabilityChanged(node, online, by):
            [("node", .text(node)), ("online", .text(online ? "yes" : "no")), ("by", .text(by))]
        }
    }
}

/// A field value of an event: numbers, names, and times in milliseconds since the epoch.
public enum EventValue: Hashable, Sendable {
    case int(UInt64)
    case text(String)
    case time(UInt64)
}

extension GovernanceEvent: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .proposalSubmitted(p, proposer, op, target, deadline):
            w.u8(1); w.u64(p); w.string(proposer); w.string(op.rawValue); w.string(target); w.u64(deadline)
        case let .voteRequested(p, voter, weight, request):
            w.u8(2); w.u64(p); w.string(voter); w.u64(weight); w.u64(request)
        case let .voteCast(p, voter, choice, weight, request):
            w.u8(3); w.u64(p); w.string(voter); w.u8(choice.tag); w.u64(weight); w.u64(request)
        case let .tallyUpdated(p, a, r, ab, total):
            w.u8(4); w.u64(p); w.u64(a); w.u64(r); w.u64(ab); w.u64(total)
        case let .proposalPassed(p): w.u8(5); w.u64(p)
        case let .proposalRejected(p): w.u8(6); w.u64(p)
        case let .proposalExpired(p): w.u8(7); w.u64(p)
        case let .proposalCanceled(p, by): w.u8(8); w.u64(p); w.string(by)
        case let .permissionGranted(p, holder, op, target, expires):
            w.u8(9); w.u64(p); w.string(holder); w.string(op.rawValue); w.string(target); w.u64(expires)
        case let .permissionConsumed(p, holder): w.u8(10); w.u64(p); w.string(holder)
        case let .permissionExpired(p, holder): w.u8(11); w.u64(p); w.string(holder)
        case let .operationExecuted(p, op, target): w.u8(12); w.u64(p); w.string(op.rawValue); w.string(target)
        case let .contractDeployed(p, contract, version, code): w.u8(13); w.u64(p); w.string(contract); w.string(version); w.string(code)
        case let .routingChanged(p, target, stage, old, new, pre, gray, prod):
            w.u8(14); w.u64(p); w.string(target); w.u8(stage.tag); w.string(old); w.string(new); w.u8(pre); w.u8(gray); w.u8(prod)
        case let .rollbackTriggered(p, target, automatic, reason): w.u8(15); w.u64(p); w.string(target); w.bool(automatic); w.string(reason)
        case let .nodeLogicChanged(node, logic, fault): w.u8(16); w.string(node); w.string(logic); w.u64(fault)
        case let .nodeAvailabilityChanged(node, online, by): w.u8(17); w.string(node); w.bool(online); w.string(by)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        func kind(_ r: inout ByteReader) throws(DecodingFailure) -> OperationKind {
            let s = try r.string(limit: 64)
            guard let k = OperationKind(rawValue: s) else { throw DecodingFailure("unknown operation '\(s)'") }
            return k
        }
        switch try r.u8() {
        case 1: self = .proposalSubmitted(proposal: try r.u64(), proposer: try r.string(), operation: try kind(&r), target: try r.string(), deadline: try r.u64())
        case 2: self = .voteRequested(proposal: try r.u64(), voter: try r.string(), weight: try r.u64(), request: try r.u64())
        case 3: self = .voteCast(proposal: try r.u64(), voter: try r.string(), choice: try Choice(tag: try r.u8()), weight: try r.u64(), request: try r.u64())
        case 4: self = .tallyUpdated(proposal: try r.u64(), approve: try r.u64(), reject: try r.u64(), abstain: try r.u64(), total: try r.u64())
        case 5: self = .proposalPassed(proposal: try r.u64())
        case 6: self = .proposalRejected(proposal: try r.u64())
        case 7: self = .proposalExpired(proposal: try r.u64())
        case 8: self = .proposalCanceled(proposal: try r.u64(), by: try r.string())
        case 9: self = .permissionGranted(proposal: try r.u64(), holder: try r.string(), operation: try kind(&r), target: try r.string(), expires: try r.u64())
        case 10: self = .permissionConsumed(proposal: try r.u64(), holder: try r.string())
        case 11: self = .permissionExpired(proposal: try r.u64(), holder: try r.string())
        case 12: self = .operationExecuted(proposal: try r.u64(), operation: try kind(&r), target: try r.string())
        case 13: self = .contractDeployed(proposal: try r.u64(), contract: try r.string(), version: try r.string(), code: try r.string())
        case 14: self = .routingChanged(proposal: try r.u64(), target: try r.string(), stage: try RolloutStage(tag: try r.u8()),
                                        old: try r.string(), new: try r.string(), prerelease: try r.u8(), gray: try r.u8(), production: try r.u8())
        case 15: self = .rollbackTriggered(proposal: try r.u64(), target: try r.string(), automatic: try r.bool(), reason: try r.string())
        case 16: self = .nodeLogicChanged(node: try r.string(), logic: try r.string(), faultRate: try r.u64())
        case 17: self = .nodeAvailabilityChanged(node: try r.string(), online: try r.bool(), by: try r.string())
        case let t: throw DecodingFailure("unknown event tag \(t)")
        }
    }
}
