/// An event recorded in a receipt or at a block boundary.
public enum ChainEvent: Hashable, Sendable {
    case governance(GovernanceEvent)

    public var name: String {
        switch self {
        case let .governance(e): e.name
        }
    }

    public var proposal: UInt64? {
        switch self {
        case let .governance(e): e.proposal
        }
    }

    public var fields: [(String, EventValue)] {
        switch self {
        case let .governance(e): e.fields
        }
    }
}

extension ChainEvent: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .governance(e): w.u8(1); w.encode(e)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        switch try r.u8() {
        case 1: self = .governance(try r.decode())
        case let t: throw DecodingFailure("unknown event family \(t)")
        }
    }
}

/// An event with where it happened: the block, and the transaction if one caused it.
public struct RecordedEvent: Hashable, Sendable {
    public let height: UInt64
    public let time: UInt64
    public let tx: Hash256?
    public let event: ChainEvent
}
