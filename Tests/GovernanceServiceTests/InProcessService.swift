import Foundation
import GovernanceAPI
import GovernanceService

/// What the service suites share: an engine in this process serving a temporary data directory, and a
/// way to run blocking socket calls without starving it.
protocol InProcessService {
    var dir: DataDirectory { get }
}

extension InProcessService {
    func stop(_ c: GovernanceClient, _ s: GovernanceServer, _ running: Task<Void, Never>) async {
        await s.stop()
        await running.value
        await c.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }

    /// Runs blocking socket calls on their own thread: blocking one of the few threads that run tasks
    /// would starve the service this process is also running.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in Thread.detachNewThread { c.resume(with: Result { try body() }) } }
    }
}
