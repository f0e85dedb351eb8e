@testable import GovernanceService
import Logging
import Synchronization

/// The lines a service logged, as its `LineLogHandler` hands them to their sink.
final class CapturedLog: Sendable {
    private let captured = Mutex<[String]>([])

    var lines: [String] { captured.withLock { $0 } }
    var logger: Logger { .lines("test") { [self] line in captured.withLock { $0.append(line) } } }
}

extension Lobby {
    /// A lobby whose log lines go to `log`: the lobby tests' way to build one.
    convenience init(limits: HandshakeLimits, log: @escaping @Sendable (String) -> Void) {
        self.init(limits: limits, logger: .lines("test", log))
    }
}
