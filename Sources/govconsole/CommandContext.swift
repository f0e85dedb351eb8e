import GovernanceAPI
import Synchronization

/// What a subcommand runs against, handed to it rather than looked up: the engine, the identity to act
/// as, and where its output goes. From a shell a subcommand opens the engine its options name and prints;
/// on the console's `:` line it uses the console's engine, as its identity, its output kept for the status
/// line instead of printed over the screen.
struct CommandContext: Sendable {
    /// Where a subcommand's output goes.
    enum Destination: Sendable {
        case standardOutput
        case capture(OutputCapture)
    }

    /// The engine to use; nil opens the one the subcommand's options name, for as long as it runs.
    let engine: GovernanceClient?
    /// Who to act as when the subcommand has no `--as` of its own; nil falls back to `$GOVCONSOLE_AS`.
    let identity: String?
    /// The console's data directory, for a subcommand that reads files rather than the engine (`verify`);
    /// nil uses the one the options name.
    let directory: DataDirectory?
    let output: Destination

    /// A subcommand run from a shell: its own options say everything.
    static let standalone = CommandContext(engine: nil, identity: nil, directory: nil, output: .standardOutput)

    /// A subcommand run on the console's `:` line.
    static func console(engine: GovernanceClient, identity: String, directory: DataDirectory, capture: OutputCapture) -> CommandContext {
        CommandContext(engine: engine, identity: identity, directory: directory, output: .capture(capture))
    }
}

/// What a subcommand run inside the console printed, line by line.
final class OutputCapture: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
