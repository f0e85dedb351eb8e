import ChainPrimitives

/// The result of one included transaction: which node admitted it, which logic version processed it,
/// and what it caused.
public struct Receipt: Hashable, Sendable {
    public let tx: Hash256
    public let node: String
    public let logic: String
    public let ok: Bool
    public let error: String?
    public let events: [ChainEvent]
    /// For a contract call: which version ran it, its fuel and its result.
    public let call: CallReceipt?

    public init(tx: Hash256, node: String, logic: String, ok: Bool, error: String?, events: [ChainEvent], call: CallReceipt? = nil) {
        self.call = call
        self.tx = tx
        self.node = node
        self.logic = logic
        self.ok = ok
        self.error = error
        self.events = events
    }
}

extension Receipt: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.hash(tx); w.string(node); w.string(logic); w.bool(ok)
        w.optional(error) { $0.string($1) }
        w.array(events) { $0.encode($1) }
        w.optional(call) { $0.encode($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        tx = try r.hash()
        node = try r.string(limit: Limits.maxNameBytes)
        logic = try r.string(limit: Limits.maxNameBytes)
        ok = try r.bool()
        error = try r.optional { r throws(DecodingFailure) in try r.string() }
        events = try r.array { r throws(DecodingFailure) in try r.decode(ChainEvent.self) }
        call = try r.optional { r throws(DecodingFailure) in try r.decode(CallReceipt.self) }
    }
}
