import ChainPrimitives
import EmbeddedChain
import Foundation
import NIOCore
import NIOPosix
import ServiceClient
import Synchronization

/// The forwarding end of the peer link: one connection to the sealer's `PeerListener`, opened by the
/// first batch and kept. Batches go out in the order they were sent, several at a time; each answer
/// names its request.
final class PeerForwarder: TransactionForwarder {
    let sealer: String
    let host: String
    let port: Int
    private let genesis: Hash256
    private let node: String
    private let sign: @Sendable ([UInt8]) -> [UInt8]
    /// How long a sent batch may go unanswered before it is in doubt. A sealer that is sealing answers
    /// within a block's time; one that does not is stopped, or cut off.
    private let patience: Duration
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let writer: Task<Void, Never>
    private let nextID = Atomic<UInt64>(1)

    /// A batch on its way out, and whoever waits for its answer.
    fileprivate struct Outgoing: Sendable {
        let id: UInt64
        let bytes: [UInt8]
        let answer: Waiter
    }

    init(sealer: String, host: String, port: Int, genesis: Hash256, node: String, patience: Duration = .seconds(5),
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
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let body = ForwardRequest.body(id: id, genesis: genesis, node: node, batch: batch)
        let request = ForwardRequest(id: id, genesis: genesis, node: node, batch: batch, signature: sign(body))
        let waiter = Waiter()
        if case .terminated = outgoing.yield(Outgoing(id: id, bytes: request.encoded, answer: waiter)) {
            waiter.give(.notSent("the link to \(sealer) was closed"))
        }
        return ForwardTicket { await waiter.wait() }
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
                    out.answer.give(.notSent("\(host):\(port): \(error)"))
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
    private let state = Mutex<(answer: Forwarding?, waiting: CheckedContinuation<Forwarding, Never>?)>((nil, nil))

    func give(_ answer: Forwarding) {
        let waiting = state.withLock { s -> CheckedContinuation<Forwarding, Never>? in
            guard s.answer == nil else { return nil }
            s.answer = answer
            defer { s.waiting = nil }
            return s.waiting
        }
        waiting?.resume(returning: answer)
    }

    func wait() async -> Forwarding {
        await withCheckedContinuation { c in
            let ready = state.withLock { s -> Forwarding? in
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
    private let requests: AsyncStream<PeerForwarder.Outgoing>.Continuation
    private let task: Task<Void, Never>
    private let state: State

    /// What the connection's tasks share: the batches written and not answered, and why it broke.
    final class State: Sendable {
        let waiting = Mutex<[UInt64: (waiter: Waiter, since: ContinuousClock.Instant)]>([:])
        let broken = Mutex<String?>(nil)

        func fail(_ reason: String) {
            broken.withLock { if $0 == nil { $0 = reason } }
            let all = waiting.withLock { w in defer { w = [:] }; return w }
            for entry in all.values { entry.waiter.give(.lost(reason)) }
        }
    }

    var isBroken: Bool { state.broken.withLock { $0 != nil } }

    private init(requests: AsyncStream<PeerForwarder.Outgoing>.Continuation, task: Task<Void, Never>, state: State) {
        self.requests = requests
        self.task = task
        self.state = state
    }

    static func open(host: String, port: Int, patience: Duration) async throws -> Link {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { $0.framed() }
        let (stream, requests) = AsyncStream<PeerForwarder.Outgoing>.makeStream()
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
                                let reply = try ForwardReply.decode(Array(buffer: frame))
                                guard let entry = state.waiting.withLock({ $0.removeValue(forKey: reply.id) }) else { continue }
                                switch reply.answer {
                                case let .results(results): entry.waiter.give(.answered(results))
                                // Refused whole, before anything was sealed: the forwarding engine seals it.
                                case let .refused(reason): entry.waiter.give(.notSent("the sealer refused the batch: \(reason)"))
                                }
                            }
                            throw LinkError("the sealer closed the connection")
                        }
                        group.addTask {
                            // A batch unanswered for longer than `patience` breaks the link: the sealer is stopped or cut off.
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
            for await out in stream { out.answer.give(.notSent("the link to the sealer broke")) }
        }
        return Link(requests: requests, task: task, state: state)
    }

    func send(_ out: PeerForwarder.Outgoing) {
        if case .terminated = requests.yield(out) { out.answer.give(.notSent("the link to the sealer broke")) }
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
