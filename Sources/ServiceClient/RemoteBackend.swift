import ChainModel
import ChainPrimitives
import DequeModule
import GovernanceAPI
import NIOCore
import NIOPosix

/// A client's connection to `govconsole serve`. It speaks the wire protocol and keeps the connection up:
/// when the service goes away it dials again, sends every unanswered request again (a signed
/// transaction is recognised by the service if it already landed), and resumes the event feed from the
/// last height it delivered.
public actor RemoteBackend: GovernanceBackend {
    public nonisolated let endpoint: Endpoint
    public nonisolated let address: ServiceAddress
    private let token: String?
    private let client: String
    /// How long an outage may last before waiting requests fail; nil waits for ever (the console).
    private let patience: Duration?

    private var writer: Outbox?
    private var nextID: UInt64 = 1
    private var pending: [UInt64: (request: Wire.Request, answer: CheckedContinuation<Wire.Response, any Error>)] = [:]
    /// Unanswered requests written on this connection; the rest of `pending` waits in `unsent`, oldest
    /// first, so a burst of callers waits for answers instead of being refused by the service's limit.
    private var inFlight = 0
    private var unsent = Deque<UInt64>()
    private var feedOut: AsyncStream<FeedItem>.Continuation?
    private var feedNext: UInt64 = 0
    private var outageSince: ContinuousClock.Instant?
    private var gaveUp = false
    private var closed = false
    private var channel: (any Channel)?
    private var keeper: Task<Void, Never>?

    private init(address: ServiceAddress, token: String?, client: String, patience: Duration?) {
        self.address = address
        endpoint = .service(address: address.description)
        self.token = token
        self.client = client
        self.patience = patience
    }

    /// Connects and says hello; throws if no service answers there, so a caller can run the engine itself.
    /// With `waiting`, a service that does not answer yet is dialled again until it does or the time is up:
    /// a client told to use a service rides out its restart.
    public static func connect(to address: ServiceAddress, token: String?, client: String,
                               patience: Duration? = .seconds(30), waiting: Duration = .zero) async throws -> RemoteBackend {
        let backend = RemoteBackend(address: address, token: token, client: client, patience: patience)
        try await backend.start(waiting: waiting)
        return backend
    }

    private func start(waiting: Duration) async throws {
        let deadline = ContinuousClock.now + waiting
        while true {
            do {
                let connection = try await dial()
                try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
                    keeper = Task { await self.keep(first: connection, ready: ready) }
                }
                return
            } catch let error as ServiceError {
                // A refusal is an answer; anything else may be a service still starting, or just killed.
                if case .refused = error { throw error }
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func dial() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(3))
        do {
            switch address {
            case let .unix(path): return try await bootstrap.connect(unixDomainSocketPath: path) { $0.framed() }
            case let .tcp(host, port): return try await bootstrap.connect(host: host, port: port) { $0.framed() }
            }
        } catch {
            throw ServiceError.unreachable(address.description, Self.reason(error))
        }
    }

    public static func reason(_ error: any Error) -> String {
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)) }
        return "\(error)"
    }

    /// Runs connections one after another for as long as the backend is open.
    private func keep(first: NIOAsyncChannel<ByteBuffer, ByteBuffer>, ready: CheckedContinuation<Void, any Error>) async {
        var ready: CheckedContinuation<Void, any Error>? = ready
        var next: NIOAsyncChannel<ByteBuffer, ByteBuffer>? = first
        var delay = Duration.milliseconds(50)
        while !closed {
            if let connection = next {
                do {
                    try await session(connection, ready: &ready)
                    delay = .milliseconds(50)
                } catch {
                    if let r = ready {
                        // No welcome yet: to the caller, this service did not answer.
                        ready = nil
                        r.resume(throwing: error as? ServiceError ?? ServiceError.unreachable(address.description, Self.reason(error)))
                        return
                    }
                    if case ServiceError.refused = error { fail(all: error) }
                }
                next = nil
            }
            detached()
            if closed { break }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
            next = try? await dial()
        }
    }

    /// One connection: hello, welcome, then every frame until it ends.
    private func session(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, ready: inout CheckedContinuation<Void, any Error>?) async throws {
        channel = connection.channel
        try await connection.executeThenClose { inbound, outbound in
            let out = Outbox(outbound, allocator: connection.channel.allocator)
            var frames = inbound.makeAsyncIterator()
            try await out.send(Wire.ClientMessage.hello(Wire.Hello(version: Wire.version, token: token, client: client)))
            guard let first = try await frames.next() else { throw ServiceError.unreachable(address.description, "it closed the connection") }
            switch try Wire.decode(Wire.ServerMessage.self, from: first) {
            case .welcome: break
            case let .refused(why): throw ServiceError.refused(why)
            default: throw WireError.malformed("the service did not say welcome")
            }
            attached(out)
            ready?.resume()
            ready = nil
            while let frame = try await frames.next() {
                received(try Wire.decode(Wire.ServerMessage.self, from: frame))
            }
        }
    }

    private func attached(_ out: Outbox) {
        writer = out
        outageSince = nil
        gaveUp = false
        // Everything unanswered goes again, in the order it was asked.
        inFlight = 0
        unsent = Deque(pending.keys.sorted())
        sendWaiting()
        if let feedOut {
            write(.follow(from: feedNext))
            feedOut.yield(.connected(true))
        }
    }

    private func detached() {
        let wasUp = writer != nil
        writer = nil
        channel = nil
        if wasUp { feedOut?.yield(.connected(false)) }
        let now = ContinuousClock.now
        if outageSince == nil { outageSince = now }
        if let patience, now - outageSince! >= patience {
            gaveUp = true
            fail(all: ServiceError.lost(address.description, seconds: Int(patience.components.seconds)))
        }
    }

    private func fail(all error: any Error) {
        let waiting = pending
        pending = [:]
        unsent = []
        for (_, p) in waiting { p.answer.resume(throwing: error) }
    }

    private func received(_ message: Wire.ServerMessage) {
        switch message {
        case let .response(id, response):
            answered(id)?.resume(returning: response)
        case let .failure(id, text):
            answered(id)?.resume(throwing: ServiceError.refused(text))
        case let .block(height, events):
            feedNext = height + 1
            feedOut?.yield(.block(height: height, events: events))
        case let .resync(from):
            feedOut?.yield(.resync(from: from))
        case .welcome, .refused:
            break
        }
    }

    private func write(_ message: Wire.ClientMessage) {
        guard let writer else { return }
        // Order between messages does not matter: every answer names its request, and a follow replaces
        // the last. A failed write shows up as the connection ending, which resends what is unanswered.
        Task { try? await writer.send(message) }
    }

    private func call(_ request: Wire.Request) async throws -> Wire.Response {
        if closed { throw ServiceError.closed }
        if gaveUp, let patience { throw ServiceError.lost(address.description, seconds: Int(patience.components.seconds)) }
        let id = nextID
        nextID += 1
        return try await withCheckedThrowingContinuation { answer in
            pending[id] = (request, answer)
            unsent.append(id)
            sendWaiting()
        }
    }

    /// Writes waiting requests while fewer than the service's limit are unanswered on this connection.
    private func sendWaiting() {
        guard writer != nil else { return }
        while inFlight < Wire.maxRequestsInFlight, let id = unsent.popFirst() {
            guard let request = pending[id]?.request else { continue }
            inFlight += 1
            write(.request(id: id, request))
        }
    }

    /// The waiting caller of an answered request, and room for the next one waiting to be sent.
    private func answered(_ id: UInt64) -> CheckedContinuation<Wire.Response, any Error>? {
        guard let answer = pending.removeValue(forKey: id)?.answer else { return nil }
        inFlight -= 1
        sendWaiting()
        return answer
    }

    /// Sends `request` and takes from the answer what `pick` finds; an answer of another kind is an error.
    private func ask<T>(_ request: Wire.Request, _ pick: (Wire.Response) -> T?) async throws -> T {
        let r = try await call(request)
        guard let v = pick(r) else { throw WireError.malformed("an answer of the wrong kind: \(r)") }
        return v
    }

    // MARK: GovernanceBackend

    public func signingContext(for sender: String, proposal: UInt64?) async throws -> SigningContext {
        try await ask(.signingContext(sender: sender, proposal: proposal)) { if case let .signingContext(v) = $0 { v } else { nil } }
    }

    public func release(_ context: SigningContext) async throws { _ = try await call(.release(context)) }

    public func submit(_ tx: Transaction, since: UInt64) async throws -> Submitted {
        let (receipt, height, proposal, tally) = try await ask(.submit(tx: Wire.bytes(tx), since: since)) {
            if case let .submitted(r, h, p, t) = $0 { (r, h, p, t) } else { nil }
        }
        return Submitted(receipt: try Wire.value(Receipt.self, from: receipt), height: height, proposal: proposal, tally: tally)
    }

    public func submitTraffic(_ txs: [Transaction]) async throws -> [Receipt?] {
        let list = try await ask(.submitTraffic(txs: txs.map(Wire.bytes))) { if case let .receipts(v) = $0 { v } else { nil } }
        return try list.map { try $0.map { try Wire.value(Receipt.self, from: $0) } }
    }

    public func proposals(status: ProposalStatus?) async throws -> [ProposalSummary] {
        try await ask(.proposals(status: status)) { if case let .proposals(v) = $0 { v } else { nil } }
    }

    public func proposal(_ id: UInt64) async throws -> ProposalDetail {
        try await ask(.proposal(id: id)) { if case let .proposal(v) = $0 { v } else { nil } }
    }

    public func events(proposal: UInt64) async throws -> [EventView] {
        try await ask(.events(proposal: proposal)) { if case let .events(v) = $0 { v } else { nil } }
    }

    public func events(from height: UInt64, limit: Int) async throws -> EventPage {
        try await ask(.eventPage(from: height, limit: limit)) { if case let .eventPage(v) = $0 { v } else { nil } }
    }

    public func votes(of name: String) async throws -> [UInt64: String] {
        try await ask(.votes(of: name)) { if case let .votes(v) = $0 { v } else { nil } }
    }

    public func status() async throws -> StatusView {
        try await ask(.status) { if case let .status(v) = $0 { v } else { nil } }
    }

    public func members() async throws -> [MemberView] {
        try await ask(.members) { if case let .members(v) = $0 { v } else { nil } }
    }

    public func nodes() async throws -> [NodeView] {
        try await ask(.nodes) { if case let .nodes(v) = $0 { v } else { nil } }
    }

    public func blocks(from height: UInt64, limit: Int) async throws -> [BlockView] {
        try await ask(.blocks(from: height, limit: limit)) { if case let .blocks(v) = $0 { v } else { nil } }
    }

    public func routing() async throws -> RoutingView {
        try await ask(.routing) { if case let .routing(v) = $0 { v } else { nil } }
    }

    public func initSummary() async throws -> InitResult {
        try await ask(.initSummary) { if case let .initSummary(v) = $0 { v } else { nil } }
    }

    public func isRetired(_ key: PublicKey) async throws -> Bool {
        try await ask(.isRetired(key: key.hex)) { if case let .flag(v) = $0 { v } else { nil } }
    }

    /// The service closes due votes on its own tick; a client asking again is harmless but not needed.
    @discardableResult
    public func closeDue() async throws -> UInt64? { nil }

    /// One feed per connection: asking again replaces the earlier one.
    public func feed(from height: UInt64) -> AsyncStream<FeedItem> {
        feedOut?.finish()
        let (stream, out) = AsyncStream<FeedItem>.makeStream()
        feedOut = out
        feedNext = height
        write(.follow(from: height))
        return stream
    }

    public func close() async {
        closed = true
        feedOut?.finish()
        feedOut = nil
        fail(all: ServiceError.closed)
        try? await channel?.close()
        keeper?.cancel()
    }
}
