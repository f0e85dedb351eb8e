import ChainPrimitives
import Synchronization

/// What the subscriber has seen, shared with the submitters.
final class Deliveries: Sendable {
    private struct State {
        var tallies = 0
        var timing = false
        var submittedAt: [Hash256: ContinuousClock.Instant] = [:]
        var latencies = Latencies()
    }

    private let state = Mutex(State())

    var tallies: Int { state.withLock { $0.tallies } }

    func delivered(_ n: Int, ids: [Hash256], at now: ContinuousClock.Instant) {
        state.withLock { s in
            s.tallies += n
            if s.timing {
                for id in ids {
                    if let t = s.submittedAt.removeValue(forKey: id) { s.latencies.record(now - t) }
                }
            }
        }
    }

    /// Waits until the subscriber has seen `target` tallies in all; a benchmark that waited forever for a
    /// lost event would hide the loss, so it gives up after 60 seconds.
    func wait(untilTallies target: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while tallies < target {
            guard ContinuousClock.now < deadline else { throw BenchError("the subscriber saw \(tallies) tallies, expected \(target)") }
            try await Task.sleep(for: .microseconds(200))
        }
    }

    func startTiming() { state.withLock { $0.timing = true; $0.latencies = Latencies() } }

    func submitted(_ ids: [Hash256], due: [ContinuousClock.Instant]) {
        state.withLock { s in for (id, t) in zip(ids, due) { s.submittedAt[id] = t } }
    }

    func stopTiming() -> Latencies {
        state.withLock { s in
            s.timing = false
            s.submittedAt = [:]
            return s.latencies
        }
    }
}
