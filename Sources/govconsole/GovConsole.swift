import ArgumentParser
import Foundation
import EmbeddedChain
import GovernanceEngine

struct GovConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "govconsole",
        abstract: "Govern a permissioned blockchain: propose, vote, execute.",
        discussion: "Run with no subcommand to open the demo consortium in the data directory, creating it on first run.",
        subcommands: [
            InitCommand.self, ProposeCommand.self, VoteCommand.self, ExecuteCommand.self, CancelCommand.self,
            ProposalsCommand.self, ShowCommand.self, EventsCommand.self, StatusCommand.self, MembersCommand.self,
            NodesCommand.self, BlocksCommand.self, CallCommand.self, TrafficCommand.self, RoutingCommand.self, NodeCommand.self,
        ])

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let dir = global.directory
        let engine: GovernanceEngine
        do {
            engine = try await GovernanceEngine.open(at: dir)
        } catch EmbeddedChain.LedgerError.missing {
            warn("no chain in \(dir.path) yet; creating the demo consortium there")
            engine = try await GovernanceEngine.create(at: dir, consortium: try .demo())
        }
        for w in engine.warnings { warn("warning: \(w)") }
        let status = await engine.status()
        let proposals = await engine.proposals()
        await engine.close()
        try global.emit(status) {
            StatusCommand.text(status) + "\n\n"
                + (proposals.isEmpty ? "no proposals yet; try: govconsole propose add-member frank --as ops" :
                    Output.table(["ID", "OPERATION", "TARGET", "STATUS", "PROPOSER"],
                                 proposals.map { ["\($0.id)", $0.operation, $0.target, $0.status, $0.proposer] }))
        }
    }
}
