import ChainModel
import GovernanceAPI
import ServicePlatform

extension GovernanceEngine {
    /// How many committed blocks a feed reader may leave unread before it is told to resynchronise.
    public static let feedBuffer = 64
    /// A reader starting further back than this many blocks is told to resynchronise rather than sent
    /// every block since: the state tells it more, sooner.
    public static let feedCatchUp: UInt64 = 1024

    public nonisolated func feed(from height: UInt64) async -> AsyncStream<FeedItem> {
        feed(from: height, buffer: Self.feedBuffer)
    }

    /// A pull-driven stream: earlier blocks are read from the ledger one at a time as the reader asks for
    /// them, then live blocks arrive through a subscription that holds at most `buffer` of them.
    public nonisolated func feed(from height: UInt64, buffer: Int) -> AsyncStream<FeedItem> {
        let cursor = FeedCursor(platform: platform, next: height, buffer: buffer)
        return AsyncStream(unfolding: { await cursor.next() })
    }
}

/// Where one feed reader has got to.
actor FeedCursor {
    private let platform: ServicePlatform
    private var next: UInt64
    private let buffer: Int
    private var live: AsyncStream<Block>.Iterator?

    init(platform: ServicePlatform, next: UInt64, buffer: Int) {
        self.platform = platform
        self.next = next
        self.buffer = buffer
    }

    func next() async -> FeedItem? {
        if Task.isCancelled { return nil }
        if live == nil {
            let head = await platform.state().height
            if next <= head {
                if head - next >= GovernanceEngine.feedCatchUp { return skip(to: head + 1) }
                guard let block = try? await platform.block(at: next) else { return nil }
                next = block.height + 1
                return .block(height: block.height, events: block.events.map(EventView.init))
            }
            if await platform.isClosed() { return nil }
            live = await platform.blocks(from: next, buffer: buffer).makeAsyncIterator()
        }
        var iterator = live!
        let block = await iterator.next(isolation: self)
        live = iterator
        if let block {
            next = block.height + 1
            return .block(height: block.height, events: block.events.map(EventView.init))
        }
        live = nil
        if Task.isCancelled { return nil }
        if await platform.isClosed() { return nil }
        // The subscription was dropped because the reader fell `buffer` blocks behind.
        return skip(to: await platform.state().height + 1)
    }

    private func skip(to height: UInt64) -> FeedItem {
        defer { next = height }
        return .resync(from: next)
    }
}
