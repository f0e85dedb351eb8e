import ChainPrimitives

/// What a governance transaction asks of the management contract.
public enum GovernanceCall: Hashable, Sendable {
    case propose(ManagementOperation)
    /// Answers the `VoteRequested` event `request` of `proposal` (claim 1: the vote is the event's response).
    case vote(proposal: UInt64, request: UInt64, choice: Choice)
    case execute(proposal: UInt64)
    case cancel(proposal: UInt64)
}

extension GovernanceCall: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .propose(op): w.u8(1); w.encode(op)
        case let .vote(p, request, choice): w.u8(2); w.u64(p); w.u64(request); w.u8(choice.tag)
        case let .execute(p): w.u8(3); w.u64(p)
        case let .cancel(p): w.u8(4); w.u64(p)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        switch try r.u8() {
        case 1: self = .propose(try r.decode())
        case 2: self = .vote(proposal: try r.u64(), request: try r.u64(), choice: try Choice(tag: try r.u8()))
        case 3: self = .execute(proposal: try r.u64())
        case 4: self = .cancel(proposal: try r.u64())
        case let t: throw DecodingFailure("unknown governance call tag \(t)")
        }
    }
}
