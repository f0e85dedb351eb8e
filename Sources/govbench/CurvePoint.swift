/// One step of a latency/throughput curve: what was offered, what got through, and how long it took
/// from each vote's due time to its reply.
struct CurvePoint: Encodable, Sendable, Equatable {
    var offeredPerS: Double
    var achievedPerS: Double
    var p50Ms: Double
    var p99Ms: Double
    /// Votes due after the warm-up, whose latencies the percentiles are of.
    var timedVotes: Int
    var refused: Int
    /// Votes never sent: their client fell so far behind that the step had failed already.
    var abandoned = 0
    /// Votes the schedule made due after the warm-up. A slow step can have none: at a few votes a second
    /// its short window may fall between two groups.
    var dueVotes = 0

    enum CodingKeys: String, CodingKey {
        case offeredPerS = "offered_per_s", achievedPerS = "achieved_per_s", p50Ms = "p50_ms", p99Ms = "p99_ms"
        case timedVotes = "timed_votes", refused, abandoned, dueVotes = "due_votes"
    }
}

/// What a step must show to count as sustained: nearly everything offered got through, nothing was
/// refused, and the slowest percent still answered within the bound.
struct Objective: Sendable {
    var p99Ms = 50.0
    var achievedFraction = 0.95

    func met(by p: CurvePoint) -> Bool {
        p.refused == 0 && p.abandoned == 0 && p.timedVotes > 0 && p.achievedPerS >= achievedFraction * p.offeredPerS && p.p99Ms <= p99Ms
    }
}
