import EmbeddedChain
import EtcdClient
import Foundation

/// Who seals the consortium's blocks: the engine holding the `sealer` key, which it creates only while
/// the key is free and binds to the lease its presence lives on, so the seat frees itself when that
/// engine stops, and is taken by the next engine to look (each looks every second). The order's
/// create-only appends keep one order whoever seals; the seat only saves the others their races.
///
/// What the key holds is etcd's, so untrusted: a forged record can send forwarded transactions to the
/// wrong address, where they are not sealed and their senders are told so; it cannot change a block.
struct SealerSeat: Codable, Sendable, Equatable {
    let node: String
    let host: String
    let port: Int

    /// Takes the seat for `me` if it is free; returns whoever holds it and since which revision.
    static func claim(_ me: SealerSeat, client: EtcdClient, keys: OrderKeys, lease: Int64) async throws -> (seat: SealerSeat?, since: Int64) {
        let value = Array(try JSONEncoder().encode(me))
        switch try await client.append(keys.sealer, value: value, after: nil, lease: lease) {
        case let .created(revision):
            return (me, revision)
        case let .taken(kv):
            return (try? JSONDecoder().decode(SealerSeat.self, from: Data(kv.value)), kv.createRevision)
        case .predecessorMissing:
            return (nil, 0)
        }
    }
}

/// Keeps a chain forwarding to whoever holds the seat, or sealing itself when it does.
final class SealerFollower: @unchecked Sendable {
    private let me: SealerSeat
    private let chain: Chain
    private let sign: @Sendable ([UInt8]) -> [UInt8]
    /// The seat forwarded to now, by the revision it was taken at; a seat taken again is a new sealer.
    private var installed: (since: Int64, at: ContinuousClock.Instant)?
    /// How long a forwarder the chain gave up on rests before it is tried again for the same seat.
    static let retryAfter: Duration = .seconds(5)

    init(me: SealerSeat, chain: Chain, sign: @escaping @Sendable ([UInt8]) -> [UInt8]) {
        self.me = me
        self.chain = chain
        self.sign = sign
    }

    /// Called from one task only (the announcing one).
    func follow(_ seat: SealerSeat?, since: Int64) async {
        guard let seat, seat != me else {
            installed = nil
            await chain.forward(through: nil)
            return
        }
        let failed = await chain.forwardingFailed != nil
        let gaveUp = failed ? await chain.sealer == me.node : false
        if let installed, installed.since == since, !(gaveUp && ContinuousClock.now - installed.at > Self.retryAfter) { return }
        installed = (since, .now)
        let forwarder = PeerClient(sealer: seat.node, host: seat.host, port: seat.port, genesis: chain.genesisHash, node: me.node,
                                   sign: sign)
        await chain.forward(through: forwarder)
    }
}
