import ChainModel
import ChainPrimitives
import EmbeddedChain
import Foundation
import NIOCore
import NIOPosix
import ServiceClient
import Synchronization

/// The asking end of the peer link: one connection to another engine's `PeerListener`, opened by the
/// first request and kept. Requests go out in the order they were made, several at a time; each answer
/// names its request. It forwards transactions to the sealer, and fetches blocks from a peer.
final class PeerClient: TransactionForwarder {
    /// The node whose engine this client asks: for forwarding, the sealer.
    let sealer: String
    let host: String
    let port: Int
    private let genesis: Hash256
    private let node: String
    private let sign: @Sendable ([UInt8]) -> [UInt8]
    /// How long a sent request may go unanswered before it is in doubt. A sealer answers within a
    /// block's time, or once etcd has kept it waiting its own patience (10 s) for a placement; one that
    /// has not answered in three times that is stopped, or cut off. Batches sent after a new sealer took
    /// the seat go to it on a link of their own, without waiting for this.
    private let patience: Duration
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let writer: Task<Void, Never>
    private let nextID = Atomic<UInt64>(1)

    /// A request on its way out, and whoever waits for its answer.
    fileprivate struct Outgoing: Sendable {
        let id: UInt64
        let bytes: [UInt8]
        let answer: Waiter
    }

    /// Why a request got no answer: it never went out (`sent` false), or it went and none came back, or
    /// (`refused`) the peer refused it whole.
    struct Failure: Error, CustomStringConvertible {
        let sent: Bool
        let description: String
        var refused = false
    }

    init(sealer: String, host: String, port: Int, genesis: Hash256, node: String, patience: Duration = .seconds(30),
         sign: @escaping @Sendable ([UInt8]) -> [UInt8]) {
        self.sealer = sealer
        self.host = host
        self.port = port
        self.genesis = genesis
        self.node = node
        self.patience = patience
        self.sign = sign
        let (stream, outgoing) = AsyncStream<Outgoing>.makeStream()
        self.outgoing = outgoing
        writer = Task { await Self.write(stream, host: host, port: port, patience: patience) }
    }

    deinit {
        outgoing.finish()
        writer.cancel()
    }

    func send(_ batch: [ForwardedTransaction]) -> ForwardTicket {
        let waiter = ask(.forward(batch))
        let sealer = self.sealer
        return ForwardTicket {
            switch await waiter.wait() {
            case let .success(.results(results)): return .answered(results)
            // Refused whole, before anything was sealed: the forwarding engine seals it itself.
            case let .success(.refused(reason)): return .notSent("\(sealer) refused the batch: \(reason)")
            case .success(.blocks), .success(.admissions): return .lost("\(sealer) answered something else")
            case let .failure(failure): return failure.sent ? .lost(failure.description) : .notSent(failure.description)
            }
        }
    }

    /// Up to `limit` blocks of the peer's ledger from `height` on, as encoded: unchecked, as everything
    /// another engine says.
    func blocks(from height: UInt64, limit: Int) async -> Result<[[UInt8]], Failure> {
        switch await ask(.blocks(from: height, limit: limit)).wait() {
        case let .success(.blocks(blocks)): return .success(blocks)
        case let .success(.refused(reason)): return .failure(Failure(sent: true, description: "\(sealer) refused: \(reason)"))
        case .success(.results), .success(.admissions): return .failure(Failure(sent: true, description: "\(sealer) answered something else"))
        case let .failure(failure): return .failure(failure)
        }
    }

    /// Asks the peer, which runs `node`, to admit `txs` with its node logic: nil each, or its reason.
    func admit(_ txs: [Transaction], at node: String) async -> Result<[String?], Failure> {
        switch await ask(.admit(node: node, txs)).wait() {
        case let .success(.admissions(answers)) where answers.count == txs.count: return .success(answers)
        case let .success(.refused(reason)): return .failure(Failure(sent: true, description: "\(sealer)'s engine refused the request: \(reason)", refused: true))
        case .success: return .failure(Failure(sent: true, description: "\(sealer)'s engine answered something else", refused: true))
        case let .failure(failure): return .failure(failure)
        }
    }

    private func ask(_ what: PeerRequest.What) -> Waiter {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let request = PeerRequest.signed(id: id, genesis: genesis, node: node, what: what, sign: sign)
        let waiter = Waiter()
        if case .terminated = outgoing.yield(Outgoing(id: id, bytes: request.encoded, answer: waiter)) {
            waiter.give(.failure(Failure(sent: false, description: "the link to \(sealer) was closed")))
        }
        return waiter
    }

    /// Takes batches in order and writes them to the open connection, opening one when there is none;
    /// a reader on each connection hands the answers out.
    private static func write(_ stream: AsyncStream<Outgoing>, host: String, port: Int, patience: Duration) async {
        var link: Link?
        for await out in stream {
            if link == nil || link!.isBroken {
                link?.close()
                link = nil
                do {
                    link = try await Link.open(host: host, port: port, patience: patience)
                } catch {
                    out.answer.give(.failure(Failure(sent: false, description: "\(host):\(port): \(error)")))
                    continue
                }
            }
            link!.send(out)
        }
        link?.close()
    }
}

/// One caller waiting for one answer, given exactly once.
fileprivate final class Waiter: Sendable {
    typealias Answer = Result<PeerReply.Answer, PeerClient.Failure>
    private let state = Mutex<(answer: Answer?, waiting: CheckedContinuation<Answer, Never>?)>((nil, nil))

    func give(_ answer: Answer) {
        let waiting = state.withLock { s -> CheckedContinuation<Answer, Never>? in
            guard s.answer == nil else { return nil }
            s.answer = answer
            defer { s.waiting = nil }
            return s.waiting
        }
        waiting?.resume(returning: answer)
    }

    func wait() async -> Answer {
        await withCheckedContinuation { c in
            let ready = state.withLock { s -> Answer? in
                if let answer = s.answer { return answer }
                s.waiting = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}

/// One open connection: requests written in order, answers read as they come, each to its waiter.
private final class Link: Sendable {
    private let requests: AsyncStream<PeerClient.Outgoing>.Continuation
    private let task: Task<Void, Never>
    private let state: State

    /// What the connection's tasks share: the batches written and not answered, and why it broke.
    final class State: Sendable {
        let waiting = Mutex<[UInt64: (waiter: Waiter, since: ContinuousClock.Instant)]>([:])
        let broken = Mutex<String?>(nil)

        func fail(_ reason: String) {
            broken.withLock { if $0 == nil { $0 = reason } }
            let all = waiting.withLock { w in defer { w = [:] }; return w }
            for entry in all.values { entry.waiter.give(.failure(PeerClient.Failure(sent: true, description: reason))) }
        }
    }

    var isBroken: Bool { state.broken.withLock { $0 != nil } }

    private init(requests: AsyncStream<PeerClient.Outgoing>.Continuation, task: Task<Void, Never>, state: State) {
        self.requests = requests
        self.task = task
        self.state = state
    }

    static func open(host: String, port: Int, patience: Duration) async throws -> Link {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { $0.framed() }
        let (stream, requests) = AsyncStream<PeerClient.Outgoing>.makeStream()
        let state = State()
        let task = Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await out in stream {
                                state.waiting.withLock { $0[out.id] = (out.answer, .now) }
                                try await outbound.write(ByteBuffer(bytes: out.bytes))
                            }
                        }
                        group.addTask {
                            for try await frame in inbound {
                                let reply = try PeerReply.decode(Array(buffer: frame))
                                state.waiting.withLock({ $0.removeValue(forKey: reply.id) })?.waiter.give(.success(reply.answer))
                            }
                            throw LinkError("the peer closed the connection")
                        }
                        group.addTask {
                            // A request unanswered for longer than `patience` breaks the link: the peer is stopped or cut off.
                            while true {
                                try await Task.sleep(for: .milliseconds(250))
                                let now = ContinuousClock.now
                                if state.waiting.withLock({ $0.values.contains { now - $0.since > patience } }) {
                                    throw LinkError("no answer in \(patience)")
                                }
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                state.fail("\(error)")
            }
            state.fail("the link closed")
            // Batches handed to this link after it broke never went out.
            requests.finish()
            for await out in stream { out.answer.give(.failure(PeerClient.Failure(sent: false, description: "the link broke"))) }
        }
        return Link(requests: requests, task: task, state: state)
    }

    func send(_ out: PeerClient.Outgoing) {
        if case .terminated = requests.yield(out) { out.answer.give(.failure(PeerClient.Failure(sent: false, description: "the link broke"))) }
    }

    func close() {
        requests.finish()
        task.cancel()
    }
}

private struct LinkError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
