import ChainModel
import Foundation

/// The live readers of committed blocks. A reader with a bounded buffer that falls that far behind is
/// dropped: its stream ends, so a slow reader never holds the chain's memory.
struct Subscribers {
    private var streams: [UUID: AsyncStream<Block>.Continuation] = [:]

    var count: Int { streams.count }

    mutating func add(_ id: UUID, _ continuation: AsyncStream<Block>.Continuation) { streams[id] = continuation }

    mutating func remove(_ id: UUID) { streams[id] = nil }

    /// Hands a committed block to every reader, dropping those whose buffer is full.
    mutating func publish(_ block: Block) {
        for (id, s) in streams {
            if case .dropped = s.yield(block) {
                s.finish()
                streams[id] = nil
            }
        }
    }

    mutating func finishAll() {
        for s in streams.values { s.finish() }
        streams = [:]
    }
}

extension Chain {
    /// Every committed block from `height` on, read from the ledger, then each new block as it is committed.
    /// With a `buffer`, a reader that leaves that many blocks unread is dropped: its stream ends (a slow
    /// reader must never hold the chain's memory), and the reader knows it fell behind by the early end.
    public func subscribe(from height: UInt64 = 0, buffer: Int? = nil) -> AsyncStream<Block> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Block>.makeStream(bufferingPolicy: buffer.map { .bufferingOldest($0) } ?? .unbounded)
        for h in Int(min(height, UInt64(frames.count)))..<frames.count {
            guard let block = try? block(at: UInt64(h)) else { break }
            if case .dropped = continuation.yield(block) {
                continuation.finish()
                return stream
            }
        }
        subscribers.add(id, continuation)
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers.remove(id) }

    /// How many live subscriptions are open: lets a test wait for a reader to subscribe instead of guessing how long it takes.
    public var subscriberCount: Int { subscribers.count }
}
