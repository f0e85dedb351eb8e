import ArgumentParser
import ConsoleUI
import GovernanceAPI

/// Runs inside the console the `:` command lines that have no typed effect — queries, `call`, `node
/// set-logic`, and requests given their own `--as` — against its engine and as its identity, handed to
/// the subcommand in its context, with what it prints kept for the status line.
struct InProcessRunner: CommandRunner {
    /// The data directory the console was opened on.
    let directory: DataDirectory

    func run(_ args: [String], engine: GovernanceClient, identity: String) async -> (ok: Bool, text: String) {
        let args = args.first == "govconsole" ? Array(args.dropFirst()) : args
        guard let first = args.first else { return (false, "type a command, like: proposals --status voting") }
        if ["init", "traffic", "serve"].contains(first) || (first == "events" && args.contains("--follow")) {
            return (false, Self.shellOnly(first))
        }
        let capture = OutputCapture()
        do {
            let command = try GovConsole.parseAsRoot(args)
            guard command is any AsyncParsableCommand, !(command is GovConsole) else {
                return (false, "'\(args.joined(separator: " "))' is not a subcommand; press ? for keys or type e.g. 'show 3'")
            }
            guard let subcommand = command as? any EngineSubcommand else {
                // A group named alone (`node`, `propose`) answers with its help, as in a shell.
                let kind = type(of: command)
                if !kind.configuration.subcommands.isEmpty { throw CleanExit.helpRequest(command) }
                return (false, Self.shellOnly(kind._commandName))
            }
            try await subcommand.run(in: .console(engine: engine, identity: identity, directory: directory, capture: capture))
            return (true, capture.text)
        } catch {
            var message = GovConsole.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            return (false, message.split(separator: "\n").first.map(String.init) ?? message)
        }
    }

    /// The refusal of a subcommand that runs only from a shell.
    static func shellOnly(_ name: String) -> String {
        "'\(name)' cannot run inside the console; quit and run 'govconsole \(name)' in a shell (g toggles traffic here)"
    }
}
