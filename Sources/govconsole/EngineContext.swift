import GovernanceAPI
import GovernanceEngine
import Synchronization

/// Lets a subcommand with no typed console effect (a query, `call`, `node set-logic`) run inside the
/// console: against the console's engine, as its identity, with its output captured for the status line
/// instead of printed over the screen.
enum EngineContext {
    @TaskLocal static var engine: GovernanceClient?
    @TaskLocal static var identity: String?
    @TaskLocal static var output: OutputCapture?
}

/// What a subcommand run inside the console printed, line by line.
final class OutputCapture: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
