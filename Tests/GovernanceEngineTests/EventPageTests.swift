import Foundation
import Governance
@testable import GovernanceAPI
@testable import GovernanceEngine
import Testing

/// `events` without a proposal reads the ledger a page at a time: whole blocks, bounded by the limit.
@Suite struct EventPageTests {
    let clock = TestClock()
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-pages-\(UUID().uuidString)")

    @Test func pagesCoverTheLedgerInWholeBlocksAndStopAtTheLimit() async throws {
        let engine = try await GovernanceClient.create(at: dir, consortium: try .demo(), clock: clock.read)
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        for v in ["alice", "bob", "carol"] { _ = try await engine.vote(1, "approve", as: v) }
        // Every event, read straight from the blocks, for the pages to match.
        let all = try await engine.local!.platform.readBlocks().flatMap(\.events).map(EventView.init)
        let head = try await engine.status().height

        // One event asked for: each page ends with the first block that holds one, whole, however many
        // events it holds (genesis holds none).
        var paged: [EventView] = []
        var next: UInt64 = 0
        while next <= head {
            let page = try await engine.events(from: next, limit: 1)
            #expect(page.head == head)
            let heights = Set(page.events.map(\.height))
            #expect(heights.count == 1)
            #expect(page.next == (heights.first ?? head) + 1)
            #expect(page.events.count == all.filter { heights.contains($0.height) }.count)
            paged += page.events
            next = page.next
        }
        #expect(paged == all)

        let fromTwo = try await engine.events(from: 2, limit: 1_000)
        #expect(fromTwo.events == all.filter { $0.height >= 2 })
        #expect(fromTwo.next == head + 1)
        let pastHead = try await engine.events(from: head + 5, limit: 10)
        #expect(pastHead.events.isEmpty)
        #expect(pastHead.next == head + 5)
        await engine.close()
    }
}
