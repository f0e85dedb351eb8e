import ChainPrimitives
@testable import ConsoleUI
import Foundation
import GovernanceAPI
import Testing

/// The proposals pane judges quorum and threshold with the contract's own integer rules, so it says
/// what `govconsole show` says, exactly.
@Suite struct ExactTallyTests {
    /// 7 of 25 against a quorum of 0.28 is met, as `Tally` decides; 0.28 × 25 in Double is 7.000000000000001.
    static let detail = """
        {"id":3,"operation":"set-policy","target":"policy","summary":"set-policy quorum=0.6","proposer":"ops","status":"voting",
         "submitted":0,"deadline":86400,"tally":{"approve":7,"reject":0,"abstain":0,"voted":7,"total":25},
         "quorum":0.28,"threshold":0.29,"quorumReached":true,"votes":[],"pending":[],"permission":{"state":"none"},"events":[]}
        """

    @Test func thePaneShowsTheQuorumTheContractReached() async throws {
        var s = try await Fixture.state(width: 160, height: 48)
        let detail = try JSONDecoder().decode(ProposalDetail.self, from: Data(Self.detail.utf8))
        #expect(detail.quorum == Ratio(ppm: 280_000) && detail.threshold == Ratio(ppm: 290_000))
        #expect(detail.tally.quorumReached(detail.quorum) == detail.quorumReached)
        s.snapshot?.detail = detail
        s.tallies = [:]
        let screen = Fixture.screen(s)
        #expect(screen.contains("7/25 quorum 28% ✓"), "\(screen)")
        // 0.29 × 100 in Double is 28.999999999999996; the percentage is the ratio's own.
        #expect(screen.contains("100% threshold 29% ✓"), "\(screen)")
    }

    @Test func theQuorumMarkSitsWhereTheVotedWeightMustReach() {
        var b = ScreenBuffer(width: 25, height: 1)
        // 28% of 25 cells is cell 7; 0.28 × 25 in Double is 7.000000000000001, which rounds up to 8. 7 of
        // 25 voted meets the quorum, so the mark says so.
        TallyBar.draw(approve: 7, reject: 0, abstain: 0, total: 25, quorum: Ratio(ppm: 280_000)!, x: 0, y: 0, width: 25, into: &b)
        #expect(b[7, 0].char == "┃" && b[8, 0].char != "┃")
        #expect(b[7, 0].style.fg == .approve)
    }

    @Test func percentagesAreExact() {
        #expect(Fmt.percent(Ratio(ppm: 500_000)!) == "50%")
        #expect(Fmt.percent(Ratio(ppm: 290_000)!) == "29%")
        #expect(Fmt.percent(Ratio(ppm: 666_700)!) == "66.67%")
        #expect(Fmt.percent(Ratio(ppm: 1_000_000)!) == "100%")
    }

    @Test func aRatioReadsBackFromJSONAsItWasWritten() throws {
        for ppm: UInt64 in [0, 1, 290_000, 333_333, 666_667, 700_000, 999_999, 1_000_000] {
            let r = Ratio(ppm: ppm)!
            #expect(try JSONDecoder().decode(Ratio.self, from: try JSONEncoder().encode(r)) == r)
        }
    }
}
