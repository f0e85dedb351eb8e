import ArgumentParser
import Foundation
import GovernanceAPI

/// Every failure is one line on stderr, `error: …`, saying what was wrong and what to do, and a non-zero exit.
@main
enum Main {
    static func main() async {
        do {
            var command = try GovConsole.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = GovConsole.exitCode(for: error)
            if code == .success {
                // --help and --version are not failures.
                print(Output.human(GovConsole.fullMessage(for: error)))
                exit(0)
            }
            var message = GovConsole.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
            // Usage mistakes point at the help of the subcommand that was meant.
            let hint: String
            if code == .validationFailure {
                var path: [String] = []
                var level = GovConsole.configuration.subcommands
                for arg in CommandLine.arguments.dropFirst() {
                    guard let sub = level.first(where: { $0._commandName == arg }) else { break }
                    path.append(arg)
                    level = sub.configuration.subcommands
                }
                hint = "; run '" + (["govconsole"] + path + ["--help"]).joined(separator: " ") + "' for usage"
            } else {
                hint = ""
            }
            warn("error: " + firstLine + hint)
            exit(code == .validationFailure ? 64 : 1)
        }
    }
}
