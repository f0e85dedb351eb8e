import ChainPrimitives
import Governance
import Testing

@Suite struct TallyTests {
    let half = Ratio.half

    func r(_ s: String) -> Ratio { Ratio(parsing: s)! }

    @Test func weightsCountPerVoter() {
        let c = Tally.counts(votes: ["a": .approve, "b": .reject, "c": .abstain, "d": .approve],
                             weights: ["a": 3, "b": 2, "c": 5, "d": 1])
        #expect(c == TallyCounts(approve: 4, reject: 2, abstain: 5))
        #expect(c.voted == 11)
    }

    @Test func quorumBoundaryIsInclusive() {
        // 5 of 10 voted against quorum 0.5: exactly at the mark counts.
        #expect(Tally.quorumReached(TallyCounts(approve: 5), total: 10, quorum: half))
        #expect(!Tally.quorumReached(TallyCounts(approve: 4, abstain: 0), total: 10, quorum: half))
        // A third, exactly: 1 of 3 meets 0.333333 but not 0.333334.
        #expect(Tally.quorumReached(TallyCounts(approve: 1), total: 3, quorum: Ratio(ppm: 333_333)!))
        #expect(!Tally.quorumReached(TallyCounts(approve: 1), total: 3, quorum: Ratio(ppm: 333_334)!))
    }

    @Test func thresholdBoundaryIsExclusive() {
        // 2 approve of 4 decided is exactly 0.5: not more than the threshold, so it does not pass.
        #expect(!Tally.approvalExceeds(TallyCounts(approve: 2, reject: 2), threshold: half))
        #expect(Tally.approvalExceeds(TallyCounts(approve: 3, reject: 2), threshold: half))
        #expect(Tally.approvalExceeds(TallyCounts(approve: 2, reject: 1), threshold: r("0.66")))
        #expect(!Tally.approvalExceeds(TallyCounts(approve: 2, reject: 1), threshold: r("0.67")))
    }

    @Test func tieIsRejectedWhenQuorumIsMet() {
        #expect(Tally.outcome(TallyCounts(approve: 2, reject: 2), total: 5, quorum: half, threshold: half) == .rejected)
    }

    @Test func abstainCountsForQuorumOnly() {
        // Abstains bring quorum; the pass ratio looks at approve and reject only.
        let c = TallyCounts(approve: 1, reject: 0, abstain: 2)
        #expect(Tally.outcome(c, total: 5, quorum: half, threshold: half) == .passed)
        #expect(Tally.outcome(TallyCounts(abstain: 3), total: 5, quorum: half, threshold: half) == .rejected)
        #expect(Tally.outcome(TallyCounts(approve: 2), total: 5, quorum: half, threshold: half) == .expired)
    }

    @Test func closesEarlyOnlyWhenTheOutcomeIsSettled() {
        // 5 voters of weight 1: 3 approvals pass whatever the other two do.
        #expect(Tally.decided(TallyCounts(approve: 3), total: 5, quorum: half, threshold: half) == .passed)
        // 2 approvals: the other 3 could still reject.
        #expect(Tally.decided(TallyCounts(approve: 2), total: 5, quorum: half, threshold: half) == nil)
        // 3 rejections: even 2 more approvals cannot exceed half.
        #expect(Tally.decided(TallyCounts(reject: 3), total: 5, quorum: half, threshold: half) == .rejected)
        // 2 approve, 1 reject: remaining 2 could make it 2-3.
        #expect(Tally.decided(TallyCounts(approve: 2, reject: 1), total: 5, quorum: half, threshold: half) == nil)
        // Everyone voted: settled either way.
        #expect(Tally.decided(TallyCounts(approve: 2, reject: 2, abstain: 1), total: 5, quorum: half, threshold: half) == .rejected)
    }

    @Test func weightedEarlyClose() {
        // One heavy voter (weight 6 of 10) approving settles it alone.
        #expect(Tally.decided(TallyCounts(approve: 6), total: 10, quorum: half, threshold: half) == .passed)
        #expect(Tally.decided(TallyCounts(approve: 5), total: 10, quorum: half, threshold: half) == nil)
    }

    @Test func ratioParsing() {
        #expect(Ratio(parsing: "0.5")?.ppm == 500_000)
        #expect(Ratio(parsing: ".25")?.ppm == 250_000)
        #expect(Ratio(parsing: "50%")?.ppm == 500_000)
        #expect(Ratio(parsing: "66.67%")?.ppm == 666_700)
        #expect(Ratio(parsing: "1")?.ppm == 1_000_000)
        for bad in ["1.5", "-0.1", "abc", "", "0.5.5", "150%", "1e-3"] {
            #expect(Ratio(parsing: bad) == nil, "\(bad)")
        }
        #expect(Ratio(parsing: "0.5")!.description == "0.5")
    }

    @Test func durations() {
        #expect(DurationText.parse("90s") == 90_000)
        #expect(DurationText.parse("10m") == 600_000)
        #expect(DurationText.parse("24h") == 86_400_000)
        #expect(DurationText.parse("1h30m") == 5_400_000)
        #expect(DurationText.parse("500ms") == 500)
        for bad in ["", "10", "1x", "h", "-1s", "1.5h"] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
        #expect(DurationText.format(5_400_000) == "1h30m")
        #expect(DurationText.format(86_400_000) == "1d")
        #expect(DurationText.approximate(seconds: 45) == "45s")
        #expect(DurationText.approximate(seconds: 303) == "5m03s")
        #expect(DurationText.approximate(seconds: 86_340) == "23h59m")
        #expect(DurationText.approximate(seconds: 187_200) == "2d4h")
    }
}
