import ArgumentParser
import ChainModel
import Governance
import GovernanceAPI
import GovernanceEngine

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a consortium and its genesis block in the data directory.",
        discussion: "With --demo: admin ops; voters alice, bob, carol, dave, erin (weight 1 each); nodes node-1 to node-6.")

    @Flag(help: "Create the demo consortium.")
    var demo = false

    @Flag(help: "Replace an existing chain in the data directory (its ledger and keys are deleted).")
    var force = false

    @Option(name: .customLong("admin"), help: ArgumentHelp("An admin to create (repeatable).", valueName: "NAME"))
    var admins: [String] = []

    @Option(name: .customLong("voter"), help: ArgumentHelp("A voter to create, with an optional weight (repeatable).", valueName: "NAME[:WEIGHT]"))
    var voters: [String] = []

    @Option(help: "Number of nodes to create (node-1, node-2, …).")
    var nodes: Int = 6

    @OptionGroup var policy: PolicyOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if demo && (!admins.isEmpty || !voters.isEmpty) {
            throw ValidationError("--demo brings its own members; drop --admin and --voter, or drop --demo")
        }
        guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1 to 64") }
    }

    func consortium() throws -> Consortium {
        let p = Policy.default.applying(try policy.change)
        if demo { return try Consortium.demo(policy: p) }
        let seats = try (admins.isEmpty ? ["ops"] : admins).map { Consortium.Seat(name: $0, role: .admin, weight: 0) }
            + voters.map { spec in
                let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard !parts[0].isEmpty, parts.count == 1 || UInt64(parts[1]) != nil else {
                    throw ValidationError("--voter '\(spec)' is not NAME or NAME:WEIGHT; write it like alice or alice:2")
                }
                return Consortium.Seat(name: parts[0], role: .voter, weight: parts.count == 2 ? UInt64(parts[1])! : 1)
            }
        return Consortium(name: "consortium", seats: seats,
                          nodes: (1...nodes).map { Genesis.NodeSpec(name: "node-\($0)", logic: "v1") }, policy: p)
    }

    func run() async throws {
        let engine = try await GovernanceEngine.create(at: global.directory, consortium: try consortium(), force: force)
        let summary = await engine.initSummary()
        await engine.close()
        try global.emit(summary, to: .standalone) {
            """
            created a consortium in \(summary.data)
            genesis  \(summary.genesis)
            policy   quorum \(summary.policy.quorum), threshold \(summary.policy.threshold), voting period \(summary.policy.votingPeriod), permission lifetime \(summary.policy.permissionTTL)

            """ + Output.table(["MEMBER", "ROLE", "WEIGHT"], summary.members.map { [$0.name, $0.role, "\($0.weight)"] })
                + "\n\n" + Output.table(["NODE", "LOGIC"], summary.nodes.map { [$0.name, $0.logic] })
        }
    }
}
