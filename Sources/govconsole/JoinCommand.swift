import ArgumentParser
import GovernanceAPI

/// `govconsole join SOURCE_DIR --node NAME --data DIR`: one organisation's data directory, cut from a
/// consortium's: the same genesis, and the key of the one node that organisation runs.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Create an organisation's data directory from a consortium's: its genesis and one node's key.",
        discussion: """
            Reads SOURCE_DIR without locking it (a service may be running on it) and creates --data DIR holding \
            a ledger with exactly the consortium's genesis block, a keystore with only NAME's key (no member \
            keys), and cluster.json naming the node and the genesis. DIR must not exist or must be empty.
            """)

    @Argument(help: ArgumentHelp("The consortium's data directory, as 'govconsole init' created it.", valueName: "SOURCE_DIR"))
    var source: String

    @Option(help: ArgumentHelp("The node this organisation runs.", valueName: "NAME"))
    var node: String

    @OptionGroup var global: GlobalOptions

    struct Joined: Encodable {
        let data: String
        let source: String
        let consortium: String
        let node: String
        let genesis: String
    }

    func run() async throws {
        let plan = try JoinPlan.make(source: DataDirectory(path: source), node: node, target: global.directory)
        try plan.write()
        let joined = Joined(data: plan.target.path, source: plan.source.path, consortium: plan.consortium, node: plan.node,
                            genesis: plan.genesis.hash.hex)
        try global.emit(joined, to: .standalone) {
            """
            joined consortium '\(joined.consortium)' as \(joined.node) in \(joined.data)
            genesis  \(joined.genesis)
            keys     \(joined.node) only (no member keys)
            """
        }
    }
}
