import ChainModel
@testable import ConsoleUI
import Foundation
import Governance
import GovernanceAPI
import Testing

/// A console with a thousand proposals and a 10,000-voter proposal selected: what a frame shows of them,
/// made from the rows and voters on screen only.
@Suite struct LargeElectorateTests {
    /// The fixture's state with `count` proposals in the list (copies of proposal 3 under new ids) and
    /// proposal 3's detail grown to `voters` voters: every other one has voted, approve, reject, abstain in turn.
    func state(proposals count: Int, voters: Int) async throws -> ConsoleState {
        var s = try await Fixture.state(width: 200, height: 60, identity: "carol")
        var snapshot = try #require(s.snapshot)
        let real = try #require(snapshot.detail)
        let template = try #require(snapshot.proposals.first { $0.id == 3 })
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(template)) as! [String: Any]
        let many = (1...count).map { id in json.merging(["id": id, "summary": "proposal \(id)"]) { $1 } }
        snapshot.proposals = try JSONDecoder().decode([ProposalSummary].self, from: JSONSerialization.data(withJSONObject: many))
        let names = (1...voters).map { String(format: "v%05d", $0) }
        let choices = ["approve", "reject", "abstain"]
        let votes = stride(from: 0, to: voters, by: 2).map { VoteRecord(voter: names[$0], choice: choices[$0 / 2 % 3], weight: 1) }
        let pending = stride(from: 1, to: voters, by: 2).map { names[$0] }
        let requested = pending.map { EventView(RecordedEvent(height: 50, time: 0, tx: nil,
                                                              event: .governance(.voteRequested(proposal: 3, voter: $0, weight: 1, request: 1)))) }
        let cast = votes.prefix(40).enumerated().map { i, v in EventView(RecordedEvent(height: 60 + UInt64(i), time: 0, tx: nil, event: .governance(
            .voteCast(proposal: 3, voter: v.voter, choice: .approve, weight: 1, request: UInt64(i))))) }
        // Requests after the votes, as a late-joining voter's would be: the history must skip them all.
        snapshot.detail = ProposalDetail(
            id: 3, operation: real.operation, target: real.target, summary: real.summary, proposer: real.proposer,
            status: real.status, submitted: real.submitted, deadline: real.deadline,
            tally: TallyView(approve: 2, reject: 1, abstain: 1, voted: UInt64(votes.count), total: UInt64(voters)),
            quorum: real.quorum, threshold: real.threshold, quorumReached: false, votes: votes, pending: pending,
            permission: real.permission, events: cast + requested)
        s.selected = 3
        _ = update(&s, .snapshot(snapshot))
        return s
    }

    @Test func theBoardShowsTheFirstVotersInNameOrderMergingVotesAndPending() async throws {
        let s = try await state(proposals: 1000, voters: 10_000)
        let screen = Fixture.screen(s)
        #expect(screen.contains("✓ v00001        · v00002        ✗ v00003        · v00004        ○ v00005"))
        // Only a screenful: a voter from the far end of the electorate is not drawn.
        #expect(!screen.contains("v09999") && !screen.contains("v10000"))
        #expect(screen.contains("/10000 quorum"))
    }

    @Test func theHistoryShowsTheNewestVotesAndNoRequests() async throws {
        // A hundred voters leave room below the board; ten thousand fill the pane with it.
        let s = try await state(proposals: 1000, voters: 100)
        let screen = Fixture.screen(s)
        #expect(screen.contains("99 VoteCast voter=v00079 choice=approve weight=1"))
        #expect(screen.contains("98 VoteCast voter=v00077") && screen.contains("81 VoteCast voter=v00043"))
        #expect(!screen.contains(" VoteRequested voter="))   // the feed on the right shows them as "#3 voter="
    }

    @Test func theTableOfAThousandShowsTheRowsAroundTheSelection() async throws {
        var s = try await state(proposals: 1000, voters: 10)
        s.selected = 500
        #expect(s.selectedIndex == 500)   // newest first: row 0 is proposal 1000
        #expect(s.selectedSummary?.id == 500)
        let rows = Fixture.screen(s).split(separator: "\n").map(String.init)
        let selectedLine = try #require(rows.firstIndex { $0.hasPrefix("│500 ") })
        // Scrolled so the selection is the last row of the table, its newer neighbours above it.
        #expect(rows[selectedLine - 1].hasPrefix("│501 ") && rows[selectedLine - 2].hasPrefix("│502 "))
        #expect(rows[selectedLine + 1].hasPrefix("│───"))
        #expect(rows[selectedLine + 2].hasPrefix("│#500 "))
    }

    @Test func aFilterKeepsTheNewestFirstOrderOfWhatMatches() async throws {
        var s = try await state(proposals: 1000, voters: 10)
        s.filter = "proposal 99"
        #expect(s.visibleProposals.map(\.id) == [999, 998, 997, 996, 995, 994, 993, 992, 991, 990, 99])
        s.selected = 99
        #expect(s.selectedIndex == 10)
        #expect(s.selectedSummary?.id == 99)
        s.selected = 5
        #expect(s.selectedIndex == nil && s.selectedSummary == nil)
    }

    @Test func theLoopsUpdateChangesTheStateAsUpdateDoes() async throws {
        let s = try await state(proposals: 1000, voters: 10_000)
        var fresh = try #require(s.snapshot)
        fresh.proposals.removeLast(2)   // the selected proposal 3 stays; the newest go
        var plain = s, loop = s
        #expect(update(&plain, .snapshot(fresh)) == updateFreeingOffLoop(&loop, .snapshot(fresh)))
        #expect(loop.snapshot?.proposals.count == 998 && loop.selected == 3)
        #expect(Fixture.screen(loop) == Fixture.screen(plain))
        let vote = EventView(RecordedEvent(height: 200, time: 0, tx: nil, event: .governance(
            .tallyUpdated(proposal: 3, approve: 9, reject: 1, abstain: 1, total: 10_000))))
        #expect(update(&plain, .events([vote])) == updateFreeingOffLoop(&loop, .events([vote])))
        #expect(loop.tallies == plain.tallies && loop.feed == plain.feed)
    }

    @Test func aTableAsksOnlyForTheRowsItDraws() {
        var asked: [Int] = []
        let table = Table(columns: [Table.Column("N", 5)], count: 1000, selected: 500) { i in
            asked.append(i)
            return [("\(i)", Style())]
        }
        var b = ScreenBuffer(width: 20, height: 11)
        table.draw(in: b.area, into: &b, focused: true)
        #expect(asked == Array(491...500))
        #expect(b.text.split(separator: "\n").last == "500")
    }

    @Test func aFeedLineNamesTheFieldsAReaderWants() {
        func entry(_ e: GovernanceEvent) -> String { FeedEntry(EventView(RecordedEvent(height: 1, time: 0, tx: nil, event: .governance(e)))).text }
        #expect(entry(.voteCast(proposal: 3, voter: "alice", choice: .reject, weight: 2, request: 9)) == "voter=alice choice=reject weight=2")
        #expect(entry(.tallyUpdated(proposal: 3, approve: 2, reject: 1, abstain: 0, total: 6)) == "approve=2 reject=1 abstain=0 total=6")
        #expect(entry(.proposalSubmitted(proposal: 3, proposer: "ops", operation: .setPolicy, target: "policy", deadline: 5))
            == "proposer=ops operation=set-policy target=policy")
    }

    @Test func theHeaderClockReadsAsADateFormatterWould() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "HH:mm:ss"
        for ms: UInt64 in [0, 999, 1_000, 59_999, 3_600_000, 86_399_999, 1_893_456_000_000, 1_893_499_261_789] {
            #expect(Fmt.clock(ms) == f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
        }
    }
}
