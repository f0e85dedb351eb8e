import ChainModel
import ChainPrimitives
import Foundation
import GovernanceAPI
import GovernanceEngine
import Logging
import NIOCore
import NIOPosix
import ServiceClient
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `govconsole serve`: one engine, many terminals. Each connection is served on its own: its requests
/// run concurrently, its event feed is written one frame at a time and reads from a bounded
/// subscription, so a slow or stuck client holds at most a few frames and its own feed, never the
/// others' — and one that falls behind is sent `resync`. As a `Service` it serves until its group shuts down.
public final class GovernanceServer: Service, Sendable {
    public let engine: GovernanceEngine
    /// Where it listens, with the port filled in when it was asked for port 0.
    public let address: ServiceAddress
    private let token: String?
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    /// Open connections; once `stopping`, one accepted late is closed as it is counted.
    private let connections = Mutex<(open: [ObjectIdentifier: any Channel], stopping: Bool)>(([:], false))
    private let logger: Logger
    /// Connections still to say hello: a stranger cannot hold sockets open without it.
    private let lobby: Lobby
    /// Requests one connection may have in flight; more are refused, not queued.
    static let maxRequestsInFlight = Wire.maxRequestsInFlight

    private init(engine: GovernanceEngine, address: ServiceAddress, token: String?,
                 server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, lobby: Lobby, logger: Logger) {
        self.engine = engine
        self.address = address
        self.token = token
        self.server = server
        self.logger = logger
        self.lobby = lobby
    }

    /// Binds `address`. A Unix socket is made mode 0600, so only its owner can connect; TCP requires
    /// `token` in every client's hello. Either way a peer has `handshake.timeout` to say hello, and at
    /// most `handshake.capacity` may be waiting to.
    public static func bind(engine: GovernanceEngine, address: ServiceAddress, token: String?,
                            handshake: HandshakeLimits = HandshakeLimits(),
                            logger: Logger = .silent) async throws -> GovernanceServer {
        let lobby = Lobby(limits: handshake, logger: logger)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        var bound = address
        switch address {
        case let .unix(path):
            // Owner-only from the start, without a process-wide umask change: see OwnerOnlySocket.
            server = try await OwnerOnlySocket.bind(at: path) { bound in
                try await bootstrap.bind(unixDomainSocketPath: bound) { $0.framed(lobby: lobby) }
            } close: { try? await $0.channel.close() }
        case let .tcp(host, port):
            guard token != nil else { throw ServiceError.tokenMissing(address.description) }
            server = try await bootstrap.bind(host: host, port: port) { $0.framed(lobby: lobby) }
            bound = .tcp(host: host, port: server.channel.localAddress?.port ?? port)
        }
        return GovernanceServer(engine: engine, address: bound, token: token, server: server, lobby: lobby, logger: logger)
    }

    /// Accepts and serves connections until `stop`, or until the group running it shuts down or is
    /// cancelled; returns once every connection has ended.
    public func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let id = ObjectIdentifier(connection.channel)
                        let late = connections.withLock { c in
                            c.open[id] = connection.channel
                            return c.stopping
                        }
                        if late { connection.channel.close(promise: nil) }
                        lobby.enter(connection.channel, peer: peer(of: connection.channel))
                        group.addTask {
                            await self.serve(connection)
                            _ = self.connections.withLock { $0.open.removeValue(forKey: id) }
                        }
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            self.shut()
        }
    }

    /// Stops listening and closes every connection; requests already running finish first, and `run`
    /// returns once they have.
    public func stop() async {
        shut()
    }

    /// Closes the listener, removes the socket and closes every connection, without waiting on any of
    /// it: a stop signal's handler cannot wait. Only the first call closes the listener and removes the
    /// socket, so a second can never take a socket another service has since put there.
    private func shut() {
        let (first, open) = connections.withLock { c in
            defer { c.stopping = true }
            return (!c.stopping, Array(c.open.values))
        }
        if first {
            server.channel.close(promise: nil)
            if case let .unix(path) = address { unlink(path) }
        }
        for c in open { c.close(promise: nil) }
    }

    /// " from ADDRESS" for a TCP peer; a Unix socket's peers have no address worth saying.
    private func peer(of channel: any Channel) -> String {
        if case .tcp = address, let remote = channel.remoteAddress { return " from \(remote)" }
        return ""
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = self.peer(of: connection.channel)
        defer { lobby.leave(connection.channel) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let out = Outbox(outbound, allocator: connection.channel.allocator)
                var frames = inbound.makeAsyncIterator()
                guard let first = try await frames.next() else { return }
                let hello: Wire.Hello
                do {
                    guard case let .hello(h) = try Wire.decode(Wire.ClientMessage.self, from: first) else {
                        throw WireError.malformed("the first message must be hello")
                    }
                    hello = h
                } catch {
                    try await out.send(.refused("\(error)"))
                    return
                }
                guard hello.version == Wire.version else {
                    try await out.send(.refused(WireError.version(hello.version).description))
                    return
                }
                if let token, !Self.same(hello.token, token) {
                    logger.notice("refused \(hello.client)\(peer): wrong or missing access token")
                    try await out.send(.refused("the service refused the access token; use the one in its data directory's service.token (--token-file or GOVCONSOLE_TOKEN)"))
                    return
                }
                // Put out already — too slow, or pushed out by newer arrivals — is closed, not welcomed.
                guard lobby.leave(connection.channel) else { return }
                let state = await engine.status()
                try await out.send(.welcome(Wire.Welcome(version: Wire.version, genesis: Hash256(hex: state.genesis)!, height: state.height, data: state.data)))
                logger.info("\(hello.client) connected\(peer)")
                try await session(frames: &frames, out: out)
                logger.info("\(hello.client) disconnected")
            }
        } catch {
            logger.notice("a connection\(peer) ended: \(error)")
        }
    }

    /// Reads requests until the client goes. Requests run in their own tasks and are never cancelled: one
    /// whose client left completes or fails as a whole, and only its answer is lost.
    private func session(frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, out: Outbox) async throws {
        let inFlight = InFlight()
        var follower: Task<Void, Never>?
        defer { follower?.cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            while let frame = try await frames.next() {
                switch try Wire.decode(Wire.ClientMessage.self, from: frame) {
                case .hello:
                    throw WireError.malformed("hello sent twice")
                case let .follow(from):
                    follower?.cancel()
                    follower = Task { await self.forward(from: from, to: out) }
                case let .request(id, request):
                    guard inFlight.count.add(1, ordering: .relaxed).newValue <= Self.maxRequestsInFlight else {
                        inFlight.count.subtract(1, ordering: .relaxed)
                        try await out.send(.failure(id: id, message: "more than \(Self.maxRequestsInFlight) requests in flight on one connection; wait for answers"))
                        continue
                    }
                    group.addTask {
                        let message: Wire.ServerMessage
                        do {
                            message = .response(id: id, try await self.answer(request))
                        } catch {
                            message = .failure(id: id, message: "\(error)")
                        }
                        // Counted out before the answer is sent: a client that sends its next request on
                        // seeing this answer must find room for it.
                        inFlight.count.subtract(1, ordering: .relaxed)
                        try? await out.send(message)
                    }
                }
            }
        }
    }

    /// Forwards the feed one frame at a time: while a write waits on a slow client, the feed's bounded
    /// subscription fills, and the client is sent `resync` instead of an ever longer queue.
    private func forward(from height: UInt64, to out: Outbox) async {
        for await item in await engine.feed(from: height) {
            let message: Wire.ServerMessage
            switch item {
            case let .block(h, events): message = .block(height: h, events: events)
            case let .resync(from): message = .resync(from: from)
            case .connected: continue
            }
            do { try await out.send(message) } catch { return }
        }
    }

    private func answer(_ request: Wire.Request) async throws -> Wire.Response {
        switch request {
        case let .signingContext(sender, proposal):
            return .signingContext(try await engine.signingContext(for: sender, proposal: proposal))
        case let .release(context):
            await engine.release(context)
            return .done
        case let .submit(bytes, since):
            let s = try await engine.submit(try Self.transaction(bytes), since: since)
            return .submitted(receipt: Wire.bytes(s.receipt), height: s.height, proposal: s.proposal, tally: s.tally)
        case let .submitTraffic(txs):
            return .receipts(await engine.submitTraffic(try txs.map(Self.transaction)).map { $0.map(Wire.bytes) })
        case let .proposals(status): return .proposals(await engine.proposals(status: status))
        case let .proposal(id): return .proposal(try await engine.proposal(id))
        case let .events(proposal): return .events(try await engine.events(proposal: proposal))
        case let .eventPage(from, limit): return .eventPage(try await engine.events(from: from, limit: limit))
        case let .votes(name): return .votes(await engine.votes(of: name))
        case .status: return .status(await engine.status())
        case .members: return .members(await engine.members())
        case .nodes: return .nodes(await engine.nodes())
        case let .blocks(from, limit): return .blocks(try await engine.blocks(from: from, limit: limit))
        case .routing: return .routing(await engine.routing())
        case .initSummary: return .initSummary(await engine.initSummary())
        case let .isRetired(hex):
            guard let key = PublicKey(hex: hex) else { throw WireError.malformed("not a public key: \(hex)") }
            return .flag(await engine.isRetired(key))
        }
    }

    private static func transaction(_ bytes: Data) throws -> Transaction {
        do { return try Wire.value(Transaction.self, from: bytes) } catch {
            throw WireError.malformed("a transaction that does not decode: \(error)")
        }
    }

    /// Compares in time independent of where the strings differ.
    static func same(_ given: String?, _ expected: String) -> Bool {
        let a = Array((given ?? "").utf8), b = Array(expected.utf8)
        var diff = a.count ^ b.count
        for i in 0..<b.count { diff |= Int(i < a.count ? a[i] : 0) ^ Int(b[i]) }
        return diff == 0
    }
}

final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}
