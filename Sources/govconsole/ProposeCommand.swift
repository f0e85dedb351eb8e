import ArgumentParser
import EmbeddedChain
import GovernanceEngine

struct ProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a management operation; every voter gets a vote request.",
        subcommands: [AddMember.self, RemoveMember.self, SetPolicy.self])

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
