import ChainModel
import Synchronization

/// One step of an open-loop run: many clients, each sending its own pre-signed votes in the groups and at
/// the times the schedule says, each vote as a request of its own through `submit`. A vote is timed from
/// its due time to its reply (which carries its `TallyUpdated`), so a client that is late to send counts
/// against latency. A voter has one vote in flight at a time, as a terminal does: a group whose voter is
/// still waiting waits for it, and that wait is counted too.
struct OpenLoop: Sendable {
    let schedule: ArrivalSchedule
    /// Votes before this are not timed: the queue and the caches settle first.
    let warmup: Duration
    /// How long the replies may take after the last vote was due before the step is called stuck.
    var drainLimit: Duration = .seconds(60)
    /// Once a vote has waited this long, far past any objective, or a client is this late for a group, no
    /// client sends anything more in this step: an overloaded step ends soon instead of draining its schedule.
    var abandonAfter: Duration = .seconds(1)
    var progress: Progress?

    /// The reply to one vote: true if its receipt records a `TallyUpdated`.
    typealias Submit = @Sendable (Transaction) async throws -> Bool

    /// `votes[s]` are client `s`'s votes in the order it sends them; it needs one for each vote the
    /// schedule deals it.
    func run(votes: [[Transaction]], submit: @escaping Submit) async throws -> CurvePoint {
        let dealt = schedule.dealt(to: votes.count)
        for (s, arrivals) in dealt.enumerated() {
            precondition(votes[s].count >= arrivals.reduce(0) { $0 + $1.size }, "client \(s) has too few votes")
        }
        let tally = Tally()
        let start = ContinuousClock.now + .milliseconds(20)
        let window = Window(from: start + warmup, to: start + schedule.duration)
        // The clients run on their own, so a reply that never comes fails the step instead of hanging it.
        let clients = Task {
            await withTaskGroup(of: Void.self) { group in
                for (s, arrivals) in dealt.enumerated() {
                    let mine = votes[s]
                    group.addTask { await Self.send(mine, arrivals, from: start, window: window, abandonAfter: abandonAfter, submit, into: tally) }
                }
            }
        }
        let deadline = window.to + drainLimit
        while tally.answered + tally.abandoned < schedule.votes {
            guard ContinuousClock.now < deadline else {
                clients.cancel()
                throw BenchError("\(schedule.votes - tally.answered) of \(schedule.votes) votes were not answered \(drainLimit) after the last was due")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        await clients.value
        if let error = tally.firstError { progress?.say("    refused: \(error)") }
        var point = tally.point(offered: schedule.rate, window: window)
        point.dueVotes = schedule.arrivals.lazy.filter { $0.offset >= warmup }.reduce(0) { $0 + $1.size }
        return point
    }

    /// One client: each group at its due time, each vote once its voter's previous one has been answered.
    private static func send(_ votes: [Transaction], _ arrivals: [ArrivalSchedule.Arrival], from start: ContinuousClock.Instant,
                             window: Window, abandonAfter: Duration, _ submit: @escaping Submit, into tally: Tally) async {
        var waiting: [String: Task<Void, Never>] = [:]
        var next = 0
        for (i, arrival) in arrivals.enumerated() {
            let due = start + arrival.offset
            guard ContinuousClock.now - due < abandonAfter, !tally.overloaded(after: abandonAfter) else {
                tally.abandon(arrivals[i...].reduce(0) { $0 + $1.size })
                break
            }
            try? await Task.sleep(until: due, clock: .continuous)
            for tx in votes[next..<next + arrival.size] {
                if let earlier = waiting[tx.sender] { await earlier.value }
                waiting[tx.sender] = Task {
                    do {
                        let ok = try await submit(tx)
                        tally.record(ok: ok, due: due, at: ContinuousClock.now, window: window)
                    } catch {
                        tally.refused(error)
                    }
                }
            }
            next += arrival.size
        }
        for (_, t) in waiting { await t.value }
    }
}

/// The part of a step that is measured.
private struct Window: Sendable {
    let from: ContinuousClock.Instant
    let to: ContinuousClock.Instant
}

/// The replies of one step, shared by every client.
private final class Tally: Sendable {
    private struct State {
        var answered = 0
        /// Votes due in the window that were answered, and when the last of them was.
        var timedAnswered = 0
        var lastTimedReply: ContinuousClock.Instant?
        var refused = 0
        var abandoned = 0
        var slowest = Duration.zero
        var firstError: String?
        var latencies = Latencies()
    }

    private let state = Mutex(State())

    var answered: Int { state.withLock { $0.answered } }
    var firstError: String? { state.withLock { $0.firstError } }
    var abandoned: Int { state.withLock { $0.abandoned } }
    func overloaded(after limit: Duration) -> Bool { state.withLock { $0.slowest >= limit } }

    func abandon(_ n: Int) {
        state.withLock { $0.abandoned += n }
    }

    func refused(_ error: any Error) {
        state.withLock { s in
            s.answered += 1
            s.refused += 1
            if s.firstError == nil { s.firstError = "\(error)" }
        }
    }

    /// A reply; one whose receipt lacks the vote's `TallyUpdated` counts as refused.
    func record(ok: Bool, due: ContinuousClock.Instant, at now: ContinuousClock.Instant, window: Window) {
        state.withLock { s in
            s.answered += 1
            guard ok else {
                s.refused += 1
                if s.firstError == nil { s.firstError = "a reply without its TallyUpdated" }
                return
            }
            s.slowest = max(s.slowest, now - due)
            guard due >= window.from else { return }
            s.latencies.record(now - due)
            s.timedAnswered += 1
            s.lastTimedReply = max(s.lastTimedReply ?? now, now)
        }
    }

    /// What got through: the votes due in the window over the window, or over the time until the last of
    /// them was answered if that is longer (a queue that grows drains after the window).
    func point(offered: Double, window: Window) -> CurvePoint {
        state.withLock { s in
            let span = max(window.to, s.lastTimedReply ?? window.to) - window.from
            return CurvePoint(offeredPerS: offered, achievedPerS: Double(s.timedAnswered) / span.seconds,
                              p50Ms: s.latencies.percentile(50, in: .milliseconds(1)), p99Ms: s.latencies.percentile(99, in: .milliseconds(1)),
                              timedVotes: s.latencies.count, refused: s.refused, abandoned: s.abandoned)
        }
    }
}
