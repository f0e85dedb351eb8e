import ChainPrimitives

/// When each group of votes is due in an open-loop run (wrk2's constant throughput): the schedule is
/// fixed before the run starts, so a sender that falls behind cannot slow the arrivals down, and every
/// vote is timed from when it was due rather than from when it was sent.
struct ArrivalSchedule: Sendable {
    /// `size` votes, sent together by one client, due `offset` after the start.
    struct Arrival: Sendable, Equatable {
        let offset: Duration
        let size: Int
    }

    let rate: Double
    let duration: Duration
    let arrivals: [Arrival]

    /// Groups of 1 to `largestGroup` votes (uniformly, from `seed`), each due when the votes before it
    /// have used up their share of the rate, until `duration` is filled.
    init(rate: Double, duration: Duration, largestGroup: Int, seed: UInt64) {
        precondition(rate > 0 && largestGroup >= 1)
        self.rate = rate
        self.duration = duration
        var random = SplitMix64(seed: seed)
        var arrivals: [Arrival] = []
        var before = 0
        while true {
            let offset = Duration.seconds(Double(before) / rate)
            guard offset < duration else { break }
            let size = 1 + Int(random.next() % UInt64(largestGroup))
            arrivals.append(Arrival(offset: offset, size: size))
            before += size
        }
        self.arrivals = arrivals
    }

    var votes: Int { arrivals.reduce(0) { $0 + $1.size } }

    /// The arrivals dealt round-robin to `senders` clients, each keeping its own order.
    func dealt(to senders: Int) -> [[Arrival]] {
        var out = [[Arrival]](repeating: [], count: senders)
        for (i, a) in arrivals.enumerated() { out[i % senders].append(a) }
        return out
    }
}
