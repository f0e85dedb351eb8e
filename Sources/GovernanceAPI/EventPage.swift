/// One stretch of the recorded events, so a client lists a long ledger a page at a time in bounded
/// memory: the events of the whole blocks from the height asked for up to `next`, oldest first.
public struct EventPage: Codable, Sendable, Hashable {
    public let events: [EventView]
    /// The first height this page did not read: the next page starts there.
    public let next: UInt64
    /// The last committed height when the page was read: past it there is nothing yet.
    public let head: UInt64

    package init(events: [EventView], next: UInt64, head: UInt64) {
        self.events = events
        self.next = next
        self.head = head
    }

    /// Most blocks one page reads, so a stretch of empty blocks cannot make one request read the ledger.
    public static let maxBlocks = 256
    /// Most events a page is asked for: a page then holds at most this many and one block's worth more.
    public static let maxEvents = 10_000
}
