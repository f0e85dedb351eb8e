import ChainModel
import ChainPrimitives
@testable import ConsoleUI
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import Rollout
import Testing

/// Events reach `update` as the typed case the chain recorded, through a service as well.
@Suite struct TypedEventTests {
    static func overTheWire(_ e: EventView) throws -> EventView {
        let encoder = JSONEncoder()
        encoder.userInfo[EventView.wireFormat] = true
        let decoder = JSONDecoder()
        decoder.userInfo[EventView.wireFormat] = true
        return try decoder.decode(EventView.self, from: try encoder.encode(e))
    }

    @Test func anEventCrossesTheWireAsItsTypedCase() throws {
        let events: [ChainEvent] = [
            .governance(.tallyUpdated(proposal: 4, approve: 2, reject: 1, abstain: 0, total: 6)),
            .governance(.voteCast(proposal: 4, voter: "bob", choice: .reject, weight: 1, request: 7)),
            .governance(.rollbackTriggered(proposal: 2, target: "nodes", automatic: true, reason: "v2 \u{1B}fails")),
            .governance(.nodeLogicChanged(node: "node-5", logic: "v2", faultRate: 300_000)),
        ]
        for (i, event) in events.enumerated() {
            let sent = EventView(RecordedEvent(height: UInt64(10 + i), time: 1_893_456_017_123, tx: Hash256.of([UInt8(i)]), event: event))
            let received = try Self.overTheWire(sent)
            #expect(received == sent)
            #expect(received.event == event && received.type == event.name && received.fields == sent.fields)
        }
    }

    @Test func aTallyFromTheWireMovesTheBars() throws {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        let tally = EventView(RecordedEvent(height: 3, time: 0, tx: nil,
                                            event: .governance(.tallyUpdated(proposal: 4, approve: 2, reject: 1, abstain: 0, total: 6))))
        let request = EventView(RecordedEvent(height: 3, time: 0, tx: nil, event: .governance(.voteRequested(proposal: 5, voter: "bob", weight: 1, request: 8))))
        _ = update(&s, .events([try Self.overTheWire(tally), try Self.overTheWire(request)]))
        #expect(s.tallies[4] == TallyView(approve: 2, reject: 1, abstain: 0, voted: 3, total: 6))
        #expect(s.voteRequest == 5)
        #expect(s.feed.map(\.role) == [.text, .text])
    }

    @Test func theFeedColoursEachCaseByWhatItSays() {
        #expect(FeedEntry.role(of: .governance(.voteCast(proposal: 1, voter: "a", choice: .reject, weight: 1, request: 1))) == .reject)
        #expect(FeedEntry.role(of: .governance(.voteCast(proposal: 1, voter: "a", choice: .abstain, weight: 1, request: 1))) == .abstain)
        #expect(FeedEntry.role(of: .governance(.proposalPassed(proposal: 1))) == .approve)
        #expect(FeedEntry.role(of: .governance(.proposalCanceled(proposal: 1, by: "ops"))) == .warn)
        #expect(FeedEntry.role(of: .governance(.routingChanged(proposal: 1, target: "nodes", stage: .gray, old: "v1", new: "v2",
                                                               prerelease: 100, gray: 100, production: 0))) == .accent)
    }
}
