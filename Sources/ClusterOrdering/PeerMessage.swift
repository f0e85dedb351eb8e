import ChainModel
import ChainPrimitives
import EmbeddedChain

/// What one engine asks another over the peer link, signed as a whole by the asking node's key: the
/// sealer takes forwarded transactions, and any engine hands out blocks of its ledger to an engine
/// catching up past what etcd still keeps. The node's signature only says which engine asks, so a
/// request from outside the consortium is refused before anything in it is looked at; forwarded
/// transactions carry their senders' signatures, and blocks their nodes', and both are checked as such.
struct PeerRequest: Sendable, Equatable {
    static let version: UInt8 = 2

    /// Numbers the requests of one connection: the answer to each names it, as answers come back in
    /// the order their blocks are sealed.
    let id: UInt64
    let genesis: Hash256
    let node: String
    let what: What
    let signature: [UInt8]

    enum What: Sendable, Equatable {
        /// Transactions to seal, in order.
        case forward([ForwardedTransaction])
        /// Up to `limit` blocks of the ledger from height `from` on.
        case blocks(from: UInt64, limit: Int)
        /// Transactions node routing gives to `node`, which the asked engine runs, for its node logic to
        /// admit (claim 6 across machines).
        case admit(node: String, [Transaction])
    }

    /// The most blocks one answer carries.
    static let maxBlocks = 256

    /// Everything the node's signature covers: the bytes before it.
    static func body(id: UInt64, genesis: Hash256, node: String, what: What) -> [UInt8] {
        var w = ByteWriter()
        w.u8(version); w.u64(id); w.hash(genesis); w.string(node)
        switch what {
        case let .forward(batch):
            w.u8(0)
            w.array(batch) { w, item in w.data(item.tx.encoded); w.bool(item.refusesFailedCall) }
        case let .blocks(from, limit):
            w.u8(1); w.u64(from); w.u32(UInt32(clamping: limit))
        case let .admit(node, txs):
            w.u8(2); w.string(node)
            w.array(txs) { w, tx in w.data(tx.encoded) }
        }
        return w.bytes
    }

    /// A request signed with `sign`.
    static func signed(id: UInt64, genesis: Hash256, node: String, what: What, sign: ([UInt8]) -> [UInt8]) -> PeerRequest {
        PeerRequest(id: id, genesis: genesis, node: node, what: what, signature: sign(body(id: id, genesis: genesis, node: node, what: what)))
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.raw(Self.body(id: id, genesis: genesis, node: node, what: what))
        w.data(signature)
        return w.bytes
    }

    /// The request in `bytes` and the bytes its signature covers.
    static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> (PeerRequest, body: [UInt8]) {
        var r = ByteReader(bytes)
        guard try r.u8() == version else { throw DecodingFailure("a peer request of another version") }
        let id = try r.u64()
        let genesis = try r.hash()
        let node = try r.string()
        let what: What
        switch try r.u8() {
        case 0:
            what = .forward(try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) in
                ForwardedTransaction(tx: try Transaction.decode(try r.data()), refusesFailedCall: try r.bool())
            })
        case 1:
            what = .blocks(from: try r.u64(), limit: Int(try r.u32()))
        case 2:
            let node = try r.string(limit: Limits.maxNameBytes)
            what = .admit(node: node, try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) in
                try Transaction.decode(try r.data())
            })
        default:
            throw DecodingFailure("an unknown peer request")
        }
        let bodyEnd = r.offset
        let signature = try r.data(limit: 64)
        try r.expectEnd()
        return (PeerRequest(id: id, genesis: genesis, node: node, what: what, signature: signature), Array(bytes[..<bodyEnd]))
    }
}

/// The answer to request `id`: one result per forwarded transaction, in order; blocks, as encoded; or
/// the whole request refused.
struct PeerReply: Sendable, Equatable {
    let id: UInt64
    let answer: Answer

    enum Answer: Sendable, Equatable {
        case results([ForwardResult])
        case blocks([[UInt8]])
        case refused(String)
        /// One per transaction asked to be admitted: nil when admitted, else the node logic's reason.
        case admissions([String?])
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
                case let .tooLarge(bytes, limit): w.u8(3); w.u64(UInt64(bytes)); w.u64(UInt64(limit))
                }
            }
        case let .refused(reason):
            w.u8(1); w.string(reason)
        case let .blocks(blocks):
            w.u8(2); w.array(blocks) { w, block in w.data(block) }
        case let .admissions(answers):
            w.u8(3)
            w.array(answers) { w, answer in
                if let answer { w.u8(1); w.string(answer) } else { w.u8(0) }
            }
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> PeerReply {
        var r = ByteReader(bytes)
        let id = try r.u64()
        let answer: Answer
        switch try r.u8() {
        case 0:
            answer = .results(try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) in
                switch try r.u8() {
                case 0: return .sealed(height: try r.u64())
                case 1: return .refused(try r.string())
                case 2: return .orderUnavailable(try r.string())
                case 3: return .tooLarge(bytes: Int(clamping: try r.u64()), limit: Int(clamping: try r.u64()))
                default: throw DecodingFailure("an unknown forward result")
                }
            })
        case 1:
            answer = .refused(try r.string())
        case 2:
            answer = .blocks(try r.array(limit: PeerRequest.maxBlocks) { r throws(DecodingFailure) in try r.data(limit: 1 << 25) })
        case 3:
            answer = .admissions(try r.array(limit: Limits.maxBlockTransactions) { r throws(DecodingFailure) -> String? in
                try r.u8() == 0 ? nil : try r.string()
            })
        default:
            throw DecodingFailure("an unknown peer reply")
        }
        try r.expectEnd()
        return PeerReply(id: id, answer: answer)
    }
}
