import GovernanceAPI

/// Lets a subcommand run inside the console: against the console's engine, as its identity, with its
/// output captured for the status line instead of printed over the screen.
enum EngineContext {
    @TaskLocal static var engine: GovernanceClient?
    @TaskLocal static var identity: String?
    @TaskLocal static var output: OutputCapture?
}

final class OutputCapture: @unchecked Sendable {
    private(set) var text = ""
    func append(_ s: String) { text += (text.isEmpty ? "" : "\n") + s }
}
