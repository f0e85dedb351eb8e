import ChainPrimitives
import Governance

/// An event recorded in a receipt or at a block boundary.
public enum ChainEvent: Hashable, Sendable {
    case governance(GovernanceEvent)
    /// Emitted by a target contract through the host API.
    case contract(ContractEvent)

    public var name: String {
        switch self {
        case let .governance(e): e.name
        case .contract: "ContractEvent"
        }
    }

    public var proposal: UInt64? {
        switch self {
        case let .governance(e): e.proposal
        case .contract: nil
        }
    }

    public var fields: [(String, EventValue)] {
        switch self {
        case let .governance(e): e.fields
        case let .contract(e): [("contract", .text(e.contract)), ("version", .text(e.version)), ("topic", .text(e.topic)), ("data", .text(e.data))]
        }
    }
}

extension ChainEvent: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .governance(e): w.u8(1); w.encode(e)
        case let .contract(e): w.u8(2); w.encode(e)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        switch try r.u8() {
        case 1: self = .governance(try r.decode())
        case 2: self = .contract(try r.decode())
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

    public init(height: UInt64, time: UInt64, tx: Hash256?, event: ChainEvent) {
        self.height = height
        self.time = time
        self.tx = tx
        self.event = event
    }
}
