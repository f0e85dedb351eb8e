import ChainPrimitives
import Synchronization

/// How many `TallyUpdated` events the subscriber has seen, shared with the submitters.
final class Deliveries: Sendable {
    private let seen = Mutex(0)

    var tallies: Int { seen.withLock { $0 } }

    func delivered(_ n: Int) {
        seen.withLock { $0 += n }
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
}
