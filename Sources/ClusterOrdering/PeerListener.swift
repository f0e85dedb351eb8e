import ChainModel
import ChainPrimitives
import EmbeddedChain
import GovernanceAPI
import Logging
import NIOCore
import NIOPosix
import ServiceClient

/// The answering end of the peer link, on every engine of a cluster: the other engines forward their
/// transactions here while this one holds the sealer's seat, and fetch blocks from here when etcd no
/// longer keeps them (`PeerClient`), framed as the service's protocol is. A request is taken only from a
/// node of this consortium, proven by its signature.
public final class PeerListener: Sendable {
    /// Queues forwarded transactions as this engine's own, in the order they arrive, and returns what
    /// waits for one answer each.
    public typealias Admit = @Sendable ([ForwardedTransaction]) async -> @Sendable () async -> [ForwardResult]
    /// Admits transactions routed to this engine's node with its node logic: nil each, or the reason.
    public typealias AdmitAtNode = @Sendable (_ txs: [Transaction], _ node: String) -> [String?]

    let host: String
    let port: Int
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let serving: Task<Void, Never>

    private init(host: String, port: Int, server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, serving: Task<Void, Never>) {
        self.host = host
        self.port = port
        self.server = server
        self.serving = serving
    }

    static func bind(host: String, port: Int, chain: Chain, admit: @escaping Admit, admitAtNode: @escaping AdmitAtNode,
                     logger: Logger) async throws -> PeerListener {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { $0.framed() }
        let bound = server.channel.localAddress?.port ?? port
        let serving = Task<Void, Never> {
            try? await server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await serve(connection, chain: chain, admit: admit, admitAtNode: admitAtNode, logger: logger) }
                        }
                    } catch {}
                    group.cancelAll()
                }
            }
        }
        return PeerListener(host: host, port: bound, server: server, serving: serving)
    }

    /// Takes each request as it arrives, in order: forwarded transactions are queued at once and answered
    /// once sealed, many waiting at once; blocks are read and sent back. Answers name their requests.
    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, chain: Chain, admit: Admit, admitAtNode: AdmitAtNode,
                              logger: Logger) async {
        let peer = connection.channel.remoteAddress?.description ?? "a peer"
        try? await connection.executeThenClose { inbound, outbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await frame in inbound {
                    let bytes = Array(buffer: frame)
                    switch check(bytes, chain: chain) {
                    case let .success(request):
                        switch request.what {
                        case let .forward(batch):
                            // Sealed here or not at all: two engines that each took the other for the sealer
                            // would pass a batch back and forth. The forwarding engine seals it itself instead.
                            guard !chain.forwards else {
                                let refused = PeerReply(id: request.id, answer: .refused("this engine does not hold the sealer's seat now"))
                                try await outbound.write(ByteBuffer(bytes: refused.encoded))
                                continue
                            }
                            let results = await admit(batch)
                            group.addTask {
                                let reply = PeerReply(id: request.id, answer: .results(await results()))
                                try await outbound.write(ByteBuffer(bytes: reply.encoded))
                            }
                        case let .blocks(from, limit):
                            let blocks = (try? await chain.encodedBlocks(from: from, limit: min(limit, PeerRequest.maxBlocks))) ?? []
                            try await outbound.write(ByteBuffer(bytes: PeerReply(id: request.id, answer: .blocks(blocks)).encoded))
                        case let .admit(node, txs):
                            let answers = admitAtNode(txs, node)
                            try await outbound.write(ByteBuffer(bytes: PeerReply(id: request.id, answer: .admissions(answers)).encoded))
                        }
                    case let .failure(refusal):
                        logger.warning("refused a request from \(peer) on the peer link: \(refusal.reason)")
                        let id = (try? PeerRequest.decode(bytes))?.0.id ?? 0
                        try await outbound.write(ByteBuffer(bytes: PeerReply(id: id, answer: .refused(refusal.reason)).encoded))
                    }
                }
            }
        }
    }

    /// The request in `bytes`, if a node of this consortium signed it. Read from the state published
    /// with the last block: the chain's own thread may be busy sealing.
    private static func check(_ bytes: [UInt8], chain: Chain) -> Result<PeerRequest, Refusal> {
        let request: PeerRequest, body: [UInt8]
        do { (request, body) = try PeerRequest.decode(bytes) } catch { return .failure(Refusal("not a request of the peer link (\(error))")) }
        guard request.genesis == chain.genesisHash else { return .failure(Refusal("made for another consortium (genesis \(request.genesis.short))")) }
        let state = chain.committed
        guard state.nodes.contains(where: { $0.name == request.node }),
              let key = state.management.members[request.node]?.publicKey,
              key.isValidSignature(request.signature, for: body) else {
            return .failure(Refusal("not signed by the key of a node of this consortium (it says \(TerminalText.escaped(request.node)))"))
        }
        return .success(request)
    }

    struct Refusal: Error { let reason: String; init(_ r: String) { reason = r } }

    func close() async {
        serving.cancel()
        try? await server.channel.close()
        await serving.value
    }
}
