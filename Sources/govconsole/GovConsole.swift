import ArgumentParser
import Foundation
import GovernanceAPI

struct GovConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "govconsole",
        abstract: "Govern a permissioned blockchain: propose, vote, execute.",
        discussion: "Run with no subcommand to open the console on the data directory, creating the demo consortium there on first run.",
        subcommands: [
            InitCommand.self, JoinCommand.self, ProposeCommand.self, VoteCommand.self, ExecuteCommand.self, CancelCommand.self,
            ProposalsCommand.self, ShowCommand.self, EventsCommand.self, StatusCommand.self, MembersCommand.self,
            NodesCommand.self, BlocksCommand.self, VerifyCommand.self, ServeCommand.self, CallCommand.self, TrafficCommand.self, RoutingCommand.self, NodeCommand.self,
        ])

    @OptionGroup var console: ConsoleOptions
    @OptionGroup var global: GlobalOptions

    /// No subcommand: the console, on the data directory, creating the demo consortium on first run.
    func run() async throws {
        try await ConsoleLauncher.run(global: global, options: console)
    }
}
