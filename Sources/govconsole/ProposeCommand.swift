import ArgumentParser
import ChainPrimitives
import ContractRuntime
import Foundation
import Governance
import GovernanceAPI
import Rollout

struct ProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a management operation; every voter gets a vote request.",
        subcommands: [AddMember.self, RemoveMember.self, SetPolicy.self, DeployContract.self, UpgradeContract.self,
                      RollbackContract.self, UpgradeNodes.self, RollbackNodes.self])

    /// Reads the values as the console does (`ProposalText`), fetches what the draft names, and proposes.
    /// A value that does not read is a usage mistake, as ArgumentParser's own are.
    static func submit(_ op: OperationKind, _ values: [String: String?], _ global: GlobalOptions, in context: CommandContext) async throws {
        let summary: ProposalSummary
        do {
            let draft = try ProposalText.parse(op, values.compactMapValues { $0 })
            summary = try await global.acting(in: context) { try await $0.propose(draft, as: $1) }
        } catch let error as ProposalTextError {
            throw ValidationError(error.description)
        }
        try global.emit(summary, to: context) {
            "proposal \(summary.id) submitted by \(summary.proposer): \(summary.summary)\n"
                + "status \(summary.status), voting closes \(Output.time(summary.deadline)) (\(Output.relative(summary.deadline)))"
        }
    }

    struct AddMember: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member",
            abstract: "Propose adding a voter or an admin.",
            discussion: "Without --key a key pair is generated and stored in the data directory's keystore.")

        @Argument(help: "The new member's name.") var name: String
        @Option(help: "voter or admin.") var role: String?
        @Option(help: "Voting weight, 1 to 1000000 (voters only; default 1).") var weight: String?
        @Option(help: ArgumentHelp("The member's Ed25519 public key, 64 hex digits.", valueName: "HEX")) var key: String?
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.addMember, ["name": name, "role": role, "weight": weight, "key": key], global, in: context)
        }
    }

    struct RemoveMember: EngineSubcommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Propose removing a member.")

        @Argument(help: "The member to remove.") var name: String
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.removeMember, ["name": name], global, in: context)
        }
    }

    struct DeployContract: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy-contract",
            abstract: "Propose deploying a contract version from a .wat or .wasm file (claim 4: beside the old one).")

        @Argument(help: "Contract name.") var name: String
        @Option(help: "Version name, like v3.") var version: String
        @Option(help: ArgumentHelp("WAT text or Wasm binary.", valueName: "PATH")) var file: String
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.deployContract, ["name": name, "version": version, "file": file], global, in: context)
        }
    }

    struct UpgradeContract: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade-contract",
            abstract: "Propose the next canary stage of a contract upgrade: prerelease, gray, then production.")

        @Argument(help: "Contract name.") var name: String
        @Option(help: "The version to route to.") var to: String
        @Option(help: "prerelease, gray or production.") var stage: String
        @Option(help: "Production share routed to the new version, 1 to 100 (production only; default 100).") var percent: String?
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.upgradeContract, ["name": name, "to": to, "stage": stage, "percent": percent], global, in: context)
        }
    }

    struct RollbackContract: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback-contract", abstract: "Propose putting every lane of a contract back on its old version.")

        @Argument(help: "Contract name.") var name: String
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws { try await ProposeCommand.submit(.rollbackContract, ["name": name], global, in: context) }
    }

    struct UpgradeNodes: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade-nodes",
            abstract: "Propose the next canary stage of a node-logic upgrade (claims 6-7): the platform routes lanes to new-logic nodes.")

        @Option(help: "The logic version to route to, like v2.") var to: String
        @Option(help: "prerelease, gray or production.") var stage: String
        @Option(help: "Production share routed to new-logic nodes, 1 to 100 (production only; default 100).") var percent: String?
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.upgradeNodes, ["to": to, "stage": stage, "percent": percent], global, in: context)
        }
    }

    struct RollbackNodes: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback-nodes", abstract: "Propose routing every lane back to nodes running the old logic.")

        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws { try await ProposeCommand.submit(.rollbackNodes, [:], global, in: context) }
    }

    struct SetPolicy: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "set-policy",
            abstract: "Propose new governance parameters; unnamed ones stay as they are.")

        @OptionGroup var policy: PolicyOptions
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            try await ProposeCommand.submit(.setPolicy, policy.values, global, in: context)
        }
    }
}
