import ArgumentParser
import ChainPrimitives
import ContractRuntime
import Foundation
import Governance
import Rollout

struct ProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a management operation; every voter gets a vote request.",
        subcommands: [AddMember.self, RemoveMember.self, SetPolicy.self, DeployContract.self, UpgradeContract.self,
                      RollbackContract.self, UpgradeNodes.self, RollbackNodes.self])

    static func submit(_ operation: ManagementOperation, newMemberKey: SigningKey? = nil, _ global: GlobalOptions) async throws {
        let summary = try await global.acting { try await $0.propose(operation, as: $1, newMemberKey: newMemberKey) }
        try global.emit(summary) {
            "proposal \(summary.id) submitted by \(summary.proposer): \(summary.summary)\n"
                + "status \(summary.status), voting closes \(Output.time(summary.deadline)) (\(Output.relative(summary.deadline)))"
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member",
            abstract: "Propose adding a voter or an admin.",
            discussion: "Without --key a key pair is generated and stored in the data directory's keystore.")

        @Argument(help: "The new member's name.") var name: String
        @Option(help: "voter or admin.", transform: Parse.role) var role: Role = .voter
        @Option(help: "Voting weight, 1 to 1000000 (voters only; default 1).") var weight: UInt64?
        @Option(help: ArgumentHelp("The member's Ed25519 public key, 64 hex digits.", valueName: "HEX"), transform: Parse.publicKey)
        var key: PublicKey?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (publicKey, generated): (PublicKey, SigningKey?)
            if let key {
                (publicKey, generated) = (key, nil)
            } else {
                (publicKey, generated) = try await global.withEngine { try await $0.memberKey(for: name) }
            }
            try await ProposeCommand.submit(.addMember(name: name, role: role, weight: weight ?? (role == .voter ? 1 : 0), publicKey: publicKey),
                                            newMemberKey: generated, global)
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Propose removing a member.")

        @Argument(help: "The member to remove.") var name: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await ProposeCommand.submit(.removeMember(name: name), global)
        }
    }

    struct DeployContract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy-contract",
            abstract: "Propose deploying a contract version from a .wat or .wasm file (claim 4: beside the old one).")

        @Argument(help: "Contract name.") var name: String
        @Option(help: "Version name, like v3.") var version: String
        @Option(help: ArgumentHelp("WAT text or Wasm binary.", valueName: "PATH")) var file: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            guard let source = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read --file \(file); give the path of a .wat or .wasm file")
            }
            let code = try ContractCode.compile(Array(source))
            try await ProposeCommand.submit(.deployContract(name: name, version: version, code: code), global)
        }
    }

    struct UpgradeContract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade-contract",
            abstract: "Propose the next canary stage of a contract upgrade: prerelease, gray, then production.")

        @Argument(help: "Contract name.") var name: String
        @Option(help: "The version to route to.") var to: String
        @Option(help: "prerelease, gray or production.", transform: Parse.stage) var stage: RolloutStage
        @Option(help: "Production share routed to the new version, 1 to 100 (production only; default 100).") var percent: UInt8?
        @OptionGroup var global: GlobalOptions

        func validate() throws { try Parse.check(percent: percent, stage: stage) }

        func run() async throws {
            try await ProposeCommand.submit(.upgradeContract(name: name, to: to, stage: stage, percent: percent ?? 100), global)
        }
    }

    struct RollbackContract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback-contract", abstract: "Propose putting every lane of a contract back on its old version.")

        @Argument(help: "Contract name.") var name: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await ProposeCommand.submit(.rollbackContract(name: name), global) }
    }

    struct UpgradeNodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade-nodes",
            abstract: "Propose the next canary stage of a node-logic upgrade (claims 6-7): the platform routes lanes to new-logic nodes.")

        @Option(help: "The logic version to route to, like v2.") var to: String
        @Option(help: "prerelease, gray or production.", transform: Parse.stage) var stage: RolloutStage
        @Option(help: "Production share routed to new-logic nodes, 1 to 100 (production only; default 100).") var percent: UInt8?
        @OptionGroup var global: GlobalOptions

        func validate() throws { try Parse.check(percent: percent, stage: stage) }

        func run() async throws {
            try await ProposeCommand.submit(.upgradeNodes(to: to, stage: stage, percent: percent ?? 100), global)
        }
    }

    struct RollbackNodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback-nodes", abstract: "Propose routing every lane back to nodes running the old logic.")

        @OptionGroup var global: GlobalOptions

        func run() async throws { try await ProposeCommand.submit(.rollbackNodes, global) }
    }

    struct SetPolicy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-policy",
            abstract: "Propose new governance parameters; unnamed ones stay as they are.")

        @OptionGroup var policy: PolicyOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await ProposeCommand.submit(.setPolicy(policy.change), global)
        }
    }
}
