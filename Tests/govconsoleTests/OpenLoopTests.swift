import ChainModel
import ChainPrimitives
@testable import govbench
import Synchronization
import Testing

/// govbench's open-loop load and the search on it: the schedule fixes the rate before the run, the
/// search keeps the best step that meets the objective, and each client keeps one vote per voter in flight.
@Suite struct OpenLoopTests {
    @Test func theScheduleOffersExactlyItsRateInGroupsOfOneToSixteen() {
        let schedule = ArrivalSchedule(rate: 10_000, duration: .seconds(2), largestGroup: 16, seed: 7)
        #expect(schedule.arrivals.allSatisfy { (1...16).contains($0.size) })
        #expect(Set(schedule.arrivals.map(\.size)).count == 16, "every group size from 1 to 16 occurs")
        // Each group is due once the votes before it have had their share of the rate.
        var before = 0
        for a in schedule.arrivals {
            #expect(a.offset == .seconds(Double(before) / 10_000))
            before += a.size
        }
        #expect(schedule.arrivals.last!.offset < .seconds(2))
        #expect(abs(schedule.votes - 20_000) <= 16)
        #expect(schedule.arrivals == ArrivalSchedule(rate: 10_000, duration: .seconds(2), largestGroup: 16, seed: 7).arrivals)
        let dealt = schedule.dealt(to: 64)
        #expect(dealt.map(\.count).reduce(0, +) == schedule.arrivals.count)
        #expect(dealt.allSatisfy { zip($0, $0.dropFirst()).allSatisfy { $0.offset < $1.offset } })
    }

    @Test func aStepMeetsTheObjectiveOnlyWithEverythingThroughInTime() {
        let good = CurvePoint(offeredPerS: 1000, achievedPerS: 960, p50Ms: 5, p99Ms: 49, timedVotes: 900, refused: 0)
        let objective = Objective()
        #expect(objective.met(by: good))
        var slow = good; slow.p99Ms = 51
        var behind = good; behind.achievedPerS = 940
        var refusing = good; refusing.refused = 1
        var empty = good; empty.timedVotes = 0
        for bad in [slow, behind, refusing, empty] { #expect(!objective.met(by: bad)) }
    }

    /// A system that keeps up to `knee` votes/s and falls behind above it.
    static func system(knee: Double) -> (Double) -> CurvePoint {
        { rate in
            CurvePoint(offeredPerS: rate, achievedPerS: min(rate, knee), p50Ms: 2, p99Ms: rate <= knee ? 10 : 900, timedVotes: 100, refused: 0)
        }
    }

    @Test func theSearchConvergesOnTheKneeAndKeepsEveryStep() async {
        let measure = Self.system(knee: 6_200)
        let outcome = await SLOSearch(low: 1_000, high: 10_000, steps: 8).run { measure($0) }
        #expect(outcome.curve.count == 8)
        #expect(outcome.curve.map(\.offeredPerS) == outcome.curve.map(\.offeredPerS).sorted())
        let best = try! #require(outcome.best)
        #expect(best.offeredPerS <= 6_200 && best.offeredPerS > 6_200 - 9_000 / 128)
        #expect(best.offeredPerS == outcome.curve.filter { $0.p99Ms <= 50 }.map(\.offeredPerS).max())
    }

    @Test func belowTheLowestRateItHalvesUntilOnePassesThenBisects() async {
        let measure = Self.system(knee: 300)
        let outcome = await SLOSearch(low: 1_000, high: 10_000, steps: 5).run { measure($0) }
        // 1,000 and 500 miss, 250 meets, then 375 misses and 312.5 misses.
        #expect(outcome.curve.map(\.offeredPerS) == [250, 312.5, 375, 500, 1_000])
        #expect(outcome.best?.offeredPerS == 250)
        let none = await SLOSearch(low: 1_000, high: 10_000, steps: 2).run { measure($0) }
        #expect(none.best == nil)
        #expect(none.curve.count == 2)
    }

    @Test func eachClientSendsItsVotersVotesInNonceOrderOneAtATime() async throws {
        let key = SigningKey()
        let clients = 4
        let schedule = ArrivalSchedule(rate: 10_000, duration: .milliseconds(5), largestGroup: 2, seed: 3)
        let needs = schedule.dealt(to: clients).map { $0.reduce(0) { $0 + $1.size } }
        // Client c signs as voters c and c + 4, one nonce after another, alternating between them.
        let votes = (0..<clients).map { c in
            (0..<needs[c]).map { k in
                Transaction.signed(chain: Hash256.of([1]), sender: "v\(c + clients * (k % 2))", nonce: UInt64(1 + k / 2), lane: .production,
                                   payload: .governance(.vote(proposal: 1, request: 1, choice: .approve)), key: key)
            }
        }
        let seen = Mutex((inFlight: Set<String>(), overlapped: 0, next: [String: UInt64](), outOfOrder: 0))
        // However late a loaded machine starts the clients, none gives up: every vote is sent.
        var loop = OpenLoop(schedule: schedule, warmup: .zero)
        loop.abandonAfter = .seconds(86_400)
        loop.drainLimit = .seconds(86_400)
        let point = try await loop.run(votes: votes) { tx in
            seen.withLock { s in
                if !s.inFlight.insert(tx.sender).inserted { s.overlapped += 1 }
                if tx.nonce != s.next[tx.sender, default: 1] { s.outOfOrder += 1 }
                s.next[tx.sender] = tx.nonce + 1
            }
            await Task.yield()
            seen.withLock { _ = $0.inFlight.remove(tx.sender) }
            if tx.nonce == 2 && tx.sender == "v0" { throw BenchError("refused") }
            return true
        }
        seen.withLock { s in
            #expect(s.overlapped == 0)
            #expect(s.outOfOrder == 0)
            #expect(s.next.values.reduce(0) { $0 + Int($1) - 1 } == schedule.votes)
        }
        #expect(needs[0] >= 3)
        #expect(point.refused == 1, "v0's second vote was refused")
        #expect(point.offeredPerS == 10_000)
    }
}
