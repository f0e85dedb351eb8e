import ArgumentParser

/// A subcommand that runs the same from a shell and on the console's `:` line, because what it runs
/// against comes in as a `CommandContext`. `init`, `serve` and `traffic` are not: they run only from a shell.
protocol EngineSubcommand: AsyncParsableCommand {
    func run(in context: CommandContext) async throws
}

extension EngineSubcommand {
    /// From a shell: the engine the options name, acting as `--as` or the default, printing.
    func run() async throws {
        try await run(in: .standalone)
    }
}
