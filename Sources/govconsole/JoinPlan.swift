import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Foundation
import GovernanceAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `govconsole join` copies, all checked before anything is written: the consortium's genesis
/// block as stored, and one node's key, which must be the key the genesis records for that node.
/// The source is only read (no lock), so it may be served meanwhile.
struct JoinPlan {
    let source: DataDirectory
    let target: DataDirectory
    let node: String
    let genesis: GenesisCopy
    let consortium: String
    let key: SigningKey

    static func make(source: DataDirectory, node: String, target: DataDirectory) throws(JoinError) -> JoinPlan {
        guard FileManager.default.fileExists(atPath: source.path) else { throw .sourceMissing(source.path) }
        guard Chain.exists(at: source.ledger) else { throw .notADataDirectory(source.path) }
        try checkTarget(target, outside: source)
        let copy: GenesisCopy
        do { copy = try GenesisCopy.read(ledger: source.ledger) } catch { throw .unreadableGenesis(source: source.path, error) }
        // Reading checked that block 0 carries a genesis.
        guard let genesis = copy.block.genesis else { throw .notADataDirectory(source.path) }
        guard let recorded = genesis.members.first(where: { $0.name == node && $0.role == .node }) else {
            throw .notANode(name: node, role: genesis.members.first { $0.name == node }?.role.rawValue,
                            consortium: genesis.name, nodes: genesis.nodes.map(\.name))
        }
        let keystore = Keystore(directory: source.keys)
        guard keystore.contains(node) else { throw .noNodeKey(node: node, keystore: keystore.directory) }
        let key: SigningKey
        do { key = try keystore.load(node) } catch { throw .unusableKey(error) }
        guard key.publicKey == recorded.publicKey else { throw .keyMismatch(node: node, path: "\(keystore.directory)/\(node).key") }
        return JoinPlan(source: source, target: target, node: node, genesis: copy, consortium: genesis.name, key: key)
    }

    /// The target must lie outside the source (else the copy would land in what it copies) and be new or empty.
    private static func checkTarget(_ target: DataDirectory, outside source: DataDirectory) throws(JoinError) {
        let (t, s) = (resolved(target.path), resolved(source.path))
        if t == s || t.hasPrefix(s.hasSuffix("/") ? s : s + "/") { throw .targetInsideSource(target: target.path, source: source.path) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .targetNotDirectory(target.path) }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: target.path), !entries.isEmpty {
            throw .targetNotEmpty(target.path)
        }
    }

    /// `path` with every symbolic link in its existing part resolved, so a link cannot hide that the
    /// target lies inside the source.
    private static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while existing != "/", !FileManager.default.fileExists(atPath: existing) {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let real = realpath(existing, nil) else { return path }
        defer { free(real) }
        return ([String(cString: real)] + rest).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }

    /// Writes the organisation's data directory whole or not at all: the ledger holding exactly the
    /// consortium's block 0, a keystore with only the node's key, then `cluster.json` naming both.
    func write() throws(JoinError) {
        try StagedDirectory.create(target.path) { staging in
            let directory = DataDirectory(path: staging)
            try genesis.write(ledger: directory.ledger)
            try Keystore(directory: directory.keys).store(key, for: node)
            try ClusterMembership(node: node, genesis: genesis.hash).write(to: directory)
        }
    }
}
