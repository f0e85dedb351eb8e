import ChainModel
import ChainPrimitives
import EmbeddedChain

/// What an engine sends the sealer over the peer link: transactions, in order, signed as a whole by
/// the forwarding node's key. The transactions carry their senders' signatures and the sealer checks
/// them; the node's signature only says which engine is asking, so a forwarded batch from outside the
/// consortium is refused before anything in it is looked at.
struct ForwardRequest: Sendable, Equatable {
    static let version: UInt8 = 1

    /// Numbers the requests of one connection: the answer to each names it, as answers come back in
    /// the order their blocks are sealed.
    let id: UInt64
    let genesis: Hash256
    let node: String
    let batch: [ForwardedTransaction]
    let signature: [UInt8]

    /// Everything the node's signature covers: the bytes before it.
    static func body(id: UInt64, genesis: Hash256, node: String, batch: [ForwardedTransaction]) -> [UInt8] {
        var w = ByteWriter()
        w.u8(version); w.u64(id); w.hash(genesis); w.string(node)
        w.array(batch) { w, item in w.data(item.tx.encoded); w.bool(item.refusesFailedCall) }
        return w.bytes
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.raw(Self.body(id: id, genesis: genesis, node: node, batch: batch))
        w.data(signature)
        return w.bytes
    }

    /// The request in `bytes` and the bytes its signature covers.
    static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> (ForwardRequest, body: [UInt8]) {
        var r = ByteReader(bytes)
        guard try r.u8() == version else { throw DecodingFailure("a forward request of another version") }
        let id = try r.u64()
        let genesis = try r.hash()
        let node = try r.string()
        let batch = try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) in
            ForwardedTransaction(tx: try Transaction.decode(try r.data()), refusesFailedCall: try r.bool())
        }
        let bodyEnd = bytes.count - r.remaining
        let signature = try r.data(limit: 64)
        try r.expectEnd()
        return (ForwardRequest(id: id, genesis: genesis, node: node, batch: batch, signature: signature), Array(bytes[..<bodyEnd]))
    }
}

/// The sealer's answer to request `id`: one result per transaction, in order; or the whole request refused.
struct ForwardReply: Sendable, Equatable {
    let id: UInt64
    let answer: Answer

    enum Answer: Sendable, Equatable {
        case results([ForwardResult])
        case refused(String)
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.u64(id)
        switch answer {
        case let .results(results):
            w.u8(0)
            w.array(results) { w, result in
                switch result {
                case let .sealed(height): w.u8(0); w.u64(height)
                case let .refused(reason): w.u8(1); w.string(reason)
                case let .orderUnavailable(reason): w.u8(2); w.string(reason)
                }
            }
        case let .refused(reason):
            w.u8(1); w.string(reason)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> ForwardReply {
        var r = ByteReader(bytes)
        let id = try r.u64()
        let reply: Answer
        switch try r.u8() {
        case 0:
            reply = .results(try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) in
                switch try r.u8() {
                case 0: return .sealed(height: try r.u64())
                case 1: return .refused(try r.string())
                case 2: return .orderUnavailable(try r.string())
                default: throw DecodingFailure("an unknown forward result")
                }
            })
        case 1:
            reply = .refused(try r.string())
        default:
            throw DecodingFailure("an unknown forward reply")
        }
        try r.expectEnd()
        return ForwardReply(id: id, answer: reply)
    }
}
