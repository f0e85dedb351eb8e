import ChainPrimitives
import ClusterOrdering
import DurableStorage
import EmbeddedChain
import EtcdLauncher
import Foundation
import GovernanceAPI
@testable import GovernanceEngine
import Testing

/// Three organisations of the demo consortium, each with its own data directory holding the genesis and
/// its node's key only (as `govconsole join` makes them), running an engine that orders through a real
/// three-member etcd started for the test. Members sign with the source directory's keystore, as their
/// own terminals would.
struct Consortium3 {
    let etcd: LocalEtcdCluster
    let ownsEtcd: Bool
    let source: DataDirectory
    let joined: [DataDirectory]
    var engines: [GovernanceEngine]
    let members: Keystore

    static let nodes = ["node-1", "node-2", "node-3"]

    /// `ownEtcd` starts an etcd for this consortium alone, for tests that break it; otherwise consortia
    /// share one (each keeps to the keys under its own genesis hash).
    static func start(maxEntryBytes: Int = ClusterNode.defaultMaxEntryBytes, retainEntries: Int = ClusterNode.defaultRetainEntries,
                      ownEtcd: Bool = false) async throws -> Consortium3 {
        let root = NSTemporaryDirectory() + "gc-cluster-\(UUID().uuidString.prefix(8))"
        let source = DataDirectory(path: root + "/source")
        let created = try await GovernanceEngine.create(at: source, consortium: try .demo())
        await created.close()
        let genesis = try GenesisCopy.read(ledger: source.ledger)
        let members = Keystore(directory: source.keys)
        var joined: [DataDirectory] = []
        for node in nodes { joined.append(try join(node, root: root, genesis: genesis, members: members)) }
        let etcd = ownEtcd ? try await LocalEtcdCluster.start() : try await SharedLocalEtcd.shared.acquire()
        var engines: [GovernanceEngine] = []
        for (node, dir) in zip(nodes, joined) {
            engines.append(try await GovernanceEngine.open(at: dir, cluster: ClusterSettings(node: node, etcd: etcd.endpoints, maxEntryBytes: maxEntryBytes,
                                                                                              retainEntries: retainEntries)))
        }
        // The demo's node-4 to node-6 have no engine here: the sealer records them down after a lease,
        // and until then what routing gives them waits. Tests start once routing passes over them.
        try await routingSettles(engines, up: Set(nodes))
        return Consortium3(etcd: etcd, ownsEtcd: ownEtcd, source: source, joined: joined, engines: engines, members: members)
    }

    /// An organisation's directory as `govconsole join` makes it: the genesis block and the node's key.
    static func join(_ node: String, root: String, genesis: GenesisCopy, members: Keystore) throws -> DataDirectory {
        let dir = DataDirectory(path: root + "/" + node)
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try genesis.write(ledger: dir.ledger)
        try Keystore(directory: dir.keys).store(try members.load(node), for: node)
        return dir
    }

    /// Runs `body` on a consortium started for it, and stops everything after, whether `body` throws or not.
    static func with(maxEntryBytes: Int = ClusterNode.defaultMaxEntryBytes, ownEtcd: Bool = false,
                     _ body: (Consortium3) async throws -> Void) async throws {
        let c = try await start(maxEntryBytes: maxEntryBytes, ownEtcd: ownEtcd)
        do {
            try await body(c)
        } catch {
            await c.close()
            throw error
        }
        await c.close()
    }

    func client(_ i: Int) -> GovernanceClient {
        GovernanceClient(backend: engines[i], keystore: members, compiler: WasmContractCompiler())
    }

    /// Waits until every engine has taken the same head, at `height` or beyond.
    func converged(atLeast height: UInt64) async throws -> UInt64 {
        var reached: UInt64 = 0
        try await waitUntil("every engine reaches the same head at \(height) or beyond") {
            let heads = await engines.asyncMap { await $0.platform.state() }.map { ($0.height, $0.head) }
            reached = heads[0].0
            return heads[0].0 >= height && heads.allSatisfy { $0 == heads[0] }
        }
        return reached
    }

    /// Waits until every engine names the same sealer, and returns it.
    func agreedSealer() async throws -> String {
        var sealer: String?
        try await waitUntil("every engine names the same sealer") {
            let named = await engines.asyncMap { await $0.status().cluster?.sealer }
            sealer = named[0]
            return named[0] != nil && named.allSatisfy { $0 == named[0] }
        }
        return sealer!
    }

    func close() async {
        for e in engines { await e.close() }
        if ownsEtcd { await etcd.stop() } else { await SharedLocalEtcd.shared.release() }
        try? FileManager.default.removeItem(atPath: (source.path as NSString).deletingLastPathComponent)
    }

    /// Whether every engine's ledger file is the same, byte for byte.
    func ledgersIdentical() throws -> Bool {
        let ledgers = try joined.map { try Data(contentsOf: URL(fileURLWithPath: $0.ledger + "/blocks.log")) }
        return ledgers.allSatisfy { $0 == ledgers[0] }
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}

/// Waits until every engine's chain records exactly the nodes in `up` as up, at the same head.
func routingSettles(_ engines: [GovernanceEngine], up: Set<String>) async throws {
    try await waitUntil("every engine records \(up.sorted().joined(separator: ", ")) up, and no other node") {
        let states = await engines.asyncMap { await $0.platform.state() }
        return states.allSatisfy { s in
            s.head == states[0].head && s.nodes.allSatisfy { $0.online == up.contains($0.name) }
        }
    }
}

/// Polls `condition` until it holds; fails the test after a generous limit, never decides by a delay.
func waitUntil(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
