import ChainPrimitives
import DequeModule
import Logging
import NIOCore
import ServiceClient
import Synchronization

/// How long a peer may take to say hello, and how many may be waiting to at once.
public struct HandshakeLimits: Sendable {
    /// A real client says hello the moment it connects; ten seconds is for a machine under heavy load.
    public static let defaultTimeout: Duration = .seconds(10)
    /// Far more clients than ever connect at one instant, far fewer sockets than the process may hold.
    public static let defaultCapacity = 64

    public var timeout: Duration
    public var capacity: Int

    public init(timeout: Duration = Self.defaultTimeout, capacity: Int = Self.defaultCapacity) {
        self.timeout = timeout
        self.capacity = max(1, capacity)
    }

    var milliseconds: Int64 {
        let (seconds, attoseconds) = timeout.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Connections that have not yet been welcomed. Each is closed when its time to say hello runs out; and
/// when one more arrives than may wait, the one that has waited longest is closed. Longest first, not the
/// newcomer: a real client says hello within milliseconds, so a stranger filling the lobby with silent
/// sockets cannot keep members out — each newcomer pushes out a stranger, and is welcomed before its turn.
final class Lobby: Sendable {
    private struct Guest {
        let id: ObjectIdentifier
        let channel: any Channel
        /// Set just after entering, so that even a zero timeout finds its guest in the lobby.
        var expiry: Scheduled<Void>?
    }

    let limits: HandshakeLimits
    /// Oldest first; `full` once the lobby has turned someone away, until it empties again. `arrived`:
    /// connections whose first whole frame came in time, waiting only for the server to read it.
    private let guests = Mutex<(waiting: Deque<Guest>, full: Bool, arrived: Set<ObjectIdentifier>)>(([], false, []))
    private let logger: Logger

    init(limits: HandshakeLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// Admits a new connection to wait for its hello, closing whoever has waited longest if it is full.
    func enter(_ channel: any Channel, peer: String) {
        let id = ObjectIdentifier(channel)
        let (evicted, nowFull, admitted) = guests.withLock { g -> ([Guest], Bool, Bool) in
            // Its first frame came before the server got round to it: the peer did its part.
            if g.arrived.contains(id) { return ([], false, false) }
            g.waiting.append(Guest(id: id, channel: channel))
            let over = max(0, g.waiting.count - limits.capacity)
            let evicted = Array(g.waiting.prefix(over))
            g.waiting.removeFirst(over)
            // Said once each time the lobby overflows, not once per stranger: a flood must not flood the log too.
            let nowFull = over > 0 && !g.full
            if over > 0 { g.full = true }
            return (evicted, nowFull, true)
        }
        guard admitted else { return }
        if nowFull {
            logger.warning("more than \(limits.capacity) connections are waiting to say hello; closing the longest-waiting ones")
        }
        for guest in evicted {
            guest.expiry?.cancel()
            guest.channel.close(promise: nil)
        }
        let expiry = channel.eventLoop.scheduleTask(in: .milliseconds(limits.milliseconds)) { [self] in
            guard leave(channel) else { return }
            logger.notice("closed a connection\(peer) that did not say hello within \(DurationText.format(UInt64(limits.milliseconds)))")
            channel.close(promise: nil)
        }
        // Gone already (welcomed, or pushed out), the timer finds nothing when it fires.
        guests.withLock { g in
            if let i = g.waiting.firstIndex(where: { $0.id == id }) { g.waiting[i].expiry = expiry }
        }
    }

    /// Takes a connection out of the lobby, welcomed or gone; false if it had already been put out.
    @discardableResult
    func leave(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (guest, arrived) = guests.withLock { g -> (Guest?, Bool) in
            let arrived = g.arrived.remove(id) != nil
            guard let i = g.waiting.firstIndex(where: { $0.id == id }) else { return (nil, arrived) }
            defer { if g.waiting.isEmpty { g.full = false } }
            return (g.waiting.remove(at: i), arrived)
        }
        guest?.expiry?.cancel()
        return guest != nil || arrived
    }

    /// A whole first frame came in: the timer and the cap judge the peer, so from here a slow server
    /// (its tasks queued behind other work) cannot count against it. A frame that is not a valid hello
    /// is refused and closed as soon as the server reads it.
    func heard(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let guest = guests.withLock { g -> Guest? in
            g.arrived.insert(id)
            guard let i = g.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            defer { if g.waiting.isEmpty { g.full = false } }
            return g.waiting.remove(at: i)
        }
        guest?.expiry?.cancel()
    }
}

/// Tells the lobby, on the event loop, the moment a connection's first whole frame arrives.
final class FirstFrameWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let lobby: Lobby

    init(_ lobby: Lobby) { self.lobby = lobby }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lobby.heard(context.channel)
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

extension Channel {
    /// The frame codec and an async wrapper for a connection the server accepted, its first whole
    /// frame reported to the lobby as it arrives.
    func framed(lobby: Lobby) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> {
        eventLoop.makeCompletedFuture {
            try pipeline.syncOperations.addFrameCodec()
            try pipeline.syncOperations.addHandler(FirstFrameWatch(lobby))
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: self)
        }
    }
}
