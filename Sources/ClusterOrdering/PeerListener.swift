import ChainPrimitives
import EmbeddedChain
import GovernanceAPI
import Logging
import NIOCore
import NIOPosix
import ServiceClient

/// The sealer's end of the peer link: other engines of the consortium forward their transactions here
/// (`PeerForwarder`), framed as the service's protocol is. A request is taken only from a node of this
/// consortium, proven by its signature; its transactions then go where this engine's own clients' go.
public final class PeerListener: Sendable {
    /// Queues forwarded transactions as this engine's own, in the order they arrive, and returns what
    /// waits for one answer each.
    public typealias Admit = @Sendable ([ForwardedTransaction]) async -> @Sendable () async -> [ForwardResult]

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

    static func bind(host: String, port: Int, chain: Chain, admit: @escaping Admit, logger: Logger) async throws -> PeerListener {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { $0.framed() }
        let bound = server.channel.localAddress?.port ?? port
        let serving = Task<Void, Never> {
            try? await server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await serve(connection, chain: chain, admit: admit, logger: logger) }
                        }
                    } catch {}
                    group.cancelAll()
                }
            }
        }
        return PeerListener(host: host, port: bound, server: server, serving: serving)
    }

    /// Queues each request as it arrives, in order, and answers each once its transactions are sealed:
    /// many may wait at once, and the answers name their requests.
    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, chain: Chain, admit: Admit, logger: Logger) async {
        let peer = connection.channel.remoteAddress?.description ?? "a peer"
        try? await connection.executeThenClose { inbound, outbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await frame in inbound {
                    let bytes = Array(buffer: frame)
                    switch await check(bytes, chain: chain) {
                    case let .success(request):
                        let results = await admit(request.batch)
                        group.addTask {
                            let reply = ForwardReply(id: request.id, answer: .results(await results()))
                            try await outbound.write(ByteBuffer(bytes: reply.encoded))
                        }
                    case let .failure(refusal):
                        logger.warning("refused transactions forwarded from \(peer): \(refusal.reason)")
                        let id = (try? ForwardRequest.decode(bytes))?.0.id ?? 0
                        try await outbound.write(ByteBuffer(bytes: ForwardReply(id: id, answer: .refused(refusal.reason)).encoded))
                    }
                }
            }
        }
    }

    /// The request in `bytes`, if a node of this consortium signed it.
    private static func check(_ bytes: [UInt8], chain: Chain) async -> Result<ForwardRequest, Refusal> {
        let request: ForwardRequest, body: [UInt8]
        do { (request, body) = try ForwardRequest.decode(bytes) } catch { return .failure(Refusal("not a forward request (\(error))")) }
        guard request.genesis == chain.genesisHash else { return .failure(Refusal("forwarded for another consortium (genesis \(request.genesis.short))")) }
        // From the state published with the last block: the chain's own thread may be busy sealing.
        let state = chain.committed
        guard state.nodes.contains(where: { $0.name == request.node }),
              let key = state.management.members[request.node]?.publicKey,
              key.isValidSignature(request.signature, for: body) else {
            return .failure(Refusal("not signed by the key of a node of this consortium (it says \(TerminalText.escaped(request.node)))"))
        }
        // Sealed here or not at all: two engines that each took the other for the sealer would pass a
        // batch back and forth. The forwarding engine seals it itself instead.
        guard !chain.forwards else { return .failure(Refusal("this engine does not hold the sealer's seat now")) }
        return .success(request)
    }

    struct Refusal: Error { let reason: String; init(_ r: String) { reason = r } }

    func close() async {
        serving.cancel()
        try? await server.channel.close()
        await serving.value
    }
}
