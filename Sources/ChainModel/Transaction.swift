import ChainPrimitives
import Governance

/// What a transaction carries. Tags are part of the canonical encoding and never reused.
public enum Payload: Hashable, Sendable {
    case governance(GovernanceCall)
    /// A call to a target contract, routed by lane to one of its versions.
    case call(ContractCall)
    /// The platform operator replaces a node's logic; signed by the node itself. `faultRate` in parts per
    /// million injects failures, to show a health gate at work.
    case setNodeLogic(node: String, logic: String, faultRate: UInt64)
    /// A node of the consortium records whether a node's engine is up, so node routing passes over one
    /// that is not: a node records itself up or down, and any node may record another down (in a cluster,
    /// the sealer does, for a node whose engine stopped announcing itself).
    case setNodeAvailability(node: String, online: Bool)

    public var summary: String {
        switch self {
        case let .governance(call):
            switch call {
            case let .propose(op): "propose \(op.summary)"
            case let .vote(p, _, choice): "vote \(choice.rawValue) on \(p)"
            case let .execute(p): "execute \(p)"
            case let .cancel(p): "cancel \(p)"
            }
        case let .call(call): "call \(call.summary)"
        case let .setNodeLogic(node, logic, fault): "set-logic \(node) \(logic)" + (fault > 0 ? " fault \(Ratio(ppm: fault)!)" : "")
        case let .setNodeAvailability(node, online): "node \(node) \(online ? "up" : "down")"
        }
    }
}

extension Payload: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .governance(call): w.u8(1); w.encode(call)
        case let .call(call): w.u8(2); w.encode(call)
        case let .setNodeLogic(node, logic, fault): w.u8(4); w.string(node); w.string(logic); w.u64(fault)
        case let .setNodeAvailability(node, online): w.u8(5); w.string(node); w.bool(online)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        switch try r.u8() {
        case 1: self = .governance(try r.decode())
        case 2: self = .call(try r.decode())
        case 4:
            self = .setNodeLogic(node: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes), faultRate: try r.u64())
        case 5: self = .setNodeAvailability(node: try r.string(limit: Limits.maxNameBytes), online: try r.bool())
        case let t: throw DecodingFailure("unknown payload tag \(t)")
        }
    }
}

/// A signed envelope: who sends it, their next nonce, its traffic lane, and what it asks.
/// The id is the SHA-256 of the canonical encoding of everything the signature covers.
public struct Transaction: Hashable, Sendable {
    public static let version: UInt8 = 1

    public let chain: Hash256
    public let sender: String
    public let nonce: UInt64
    public let lane: Lane
    public let payload: Payload
    public let signature: [UInt8]
    public let id: Hash256
    /// The canonical encoding the signature covers, kept: the id is its hash, the signature check and
    /// the block encoding both need it, and encoding it again per use was a measurable share of a vote.
    public let signingBytes: [UInt8]

    public init(chain: Hash256, sender: String, nonce: UInt64, lane: Lane, payload: Payload, signature: [UInt8]) {
        self.chain = chain
        self.sender = sender
        self.nonce = nonce
        self.lane = lane
        self.payload = payload
        self.signature = signature
        signingBytes = Transaction.signingBytes(chain: chain, sender: sender, nonce: nonce, lane: lane, payload: payload)
        id = Hash256.of(signingBytes)
    }

    /// Bytes of the whole encoded transaction.
    public var encodedSize: Int { signingBytes.count + signature.count }

    public static func signed(chain: Hash256, sender: String, nonce: UInt64, lane: Lane, payload: Payload, key: SigningKey) -> Transaction {
        let message = signingBytes(chain: chain, sender: sender, nonce: nonce, lane: lane, payload: payload)
        return Transaction(chain: chain, sender: sender, nonce: nonce, lane: lane, payload: payload, signature: key.sign(message))
    }

    static func signingBytes(chain: Hash256, sender: String, nonce: UInt64, lane: Lane, payload: Payload) -> [UInt8] {
        var w = ByteWriter()
        w.u8(version); w.hash(chain); w.string(sender); w.u64(nonce); w.u8(lane.tag); w.encode(payload)
        return w.bytes
    }

}

extension Transaction: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.raw(signingBytes)
        w.raw(signature)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        let v = try r.u8()
        guard v == Transaction.version else { throw DecodingFailure("unknown transaction version \(v)") }
        let chain = try r.hash()
        let sender = try r.string(limit: Limits.maxNameBytes)
        let nonce = try r.u64()
        let lane = try Lane(tag: try r.u8())
        let payload = try r.decode(Payload.self)
        let signature = try r.raw(64)
        self.init(chain: chain, sender: sender, nonce: nonce, lane: lane, payload: payload, signature: signature)
    }
}
