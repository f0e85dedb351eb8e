import ArgumentParser
import Governance
import GovernanceAPI

struct VoteCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "vote",
        abstract: "Answer your vote request on a proposal: approve, reject or abstain.",
        discussion: "A later vote replaces an earlier one while voting is open.")

    @Argument(help: "Proposal id.") var id: UInt64
    @Argument(help: "approve, reject or abstain.") var choice: String
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let result = try await global.acting(in: context) { try await $0.vote(id, choice, as: $1) }
        try global.emit(result, to: context) {
            "\(result.voter) voted \(result.choice) on proposal \(result.proposal): \(Output.tally(result.tally)); status \(result.status)"
        }
    }
}

struct ExecuteCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "execute",
        abstract: "Carry out a passed proposal with the permission it granted you.")

    @Argument(help: "Proposal id.") var id: UInt64
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        try global.emit(try await global.acting(in: context) { try await $0.execute(id, as: $1) }, to: context, human: ActionResult.text)
    }
}

struct CancelCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Withdraw your proposal while it is being voted on.")

    @Argument(help: "Proposal id.") var id: UInt64
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        try global.emit(try await global.acting(in: context) { try await $0.cancel(id, as: $1) }, to: context, human: ActionResult.text)
    }
}

extension ActionResult {
    static func text(_ r: ActionResult) -> String {
        "proposal \(r.proposal) \(r.status) by \(r.by): \(r.operation) \(r.target) (height \(r.height))"
    }
}
