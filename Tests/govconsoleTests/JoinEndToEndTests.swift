import DurableStorage
import EmbeddedChain
import Foundation
import GovernanceAPI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `govconsole join SOURCE_DIR --node NAME --data DIR`, run as the built executable: an organisation's
/// data directory holds the consortium's genesis byte for byte and its one node's key, nothing else.
@Suite struct JoinEndToEndTests {
    struct Joined: Decodable { let data: String; let node: String; let genesis: String; let consortium: String }

    @Test func joinCopiesTheGenesisByteForByteAndOnlyTheNodesKey() async throws {
        let s = try Sandbox()
        let genesis = try #require(try await s.ok("init", "--demo", "--json").object()["genesis"] as? String)
        // More blocks after genesis, so a copy of the whole ledger would show.
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
        let target = s.root.appendingPathComponent("org-3").path

        let r = try await s.run(["join", s.data, "--node", "node-3", "--json"], data: target)
        try #require(r.status == 0, "join failed: \(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let joined: Joined = try r.decode()
        #expect(joined.genesis == genesis && joined.node == "node-3" && joined.data == target && joined.consortium == "demo")

        // The new ledger is the source's first record exactly, and nothing after it.
        let copied = try Data(contentsOf: URL(fileURLWithPath: target + "/ledger/blocks.log"))
        let original = try Data(contentsOf: URL(fileURLWithPath: s.ledgerFile))
        #expect(!copied.isEmpty && copied.count < original.count && original.prefix(copied.count) == copied)
        let chain = try await Chain.opened(at: target + "/ledger", keystore: Keystore(directory: target + "/keys"), readOnly: true)
        #expect(chain.genesisHash.hex == genesis)
        #expect(await chain.state.height == 0)
        await chain.close()

        // One key, node-3's, the same file as the source's, owner-only as init makes them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: target + "/keys") == ["node-3.key"])
        #expect(FileManager.default.contents(atPath: target + "/keys/node-3.key") == FileManager.default.contents(atPath: s.data + "/keys/node-3.key"))
        #expect(Self.mode(target + "/keys/node-3.key") == 0o600)
        #expect(Self.mode(target + "/keys") == 0o700)
        #expect(Self.mode(target) == 0o700)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: target)) == ["ledger", "keys", "cluster.json"])
        let membership = try #require(try ClusterMembership.read(from: DataDirectory(path: target)))
        #expect(membership.node == "node-3" && membership.genesis.hex == genesis)
        #expect(Self.staging(in: s.root.path).isEmpty)

        let report = try await s.run(["verify", "--json"], data: target)
        #expect(report.status == 0, "verify refused the joined directory: \(report.stderr)")
        #expect(try report.object()["ok"] as? Bool == true && report.object()["height"] as? Int == 0)
    }

    /// A joined directory runs only as its own node of a cluster: opened to write without `--node`, or
    /// served as another node, it says what to run instead, and its ledger stays as join wrote it.
    @Test func aJoinedDirectoryRunsOnlyAsItsNodeOfACluster() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let target = s.root.appendingPathComponent("org-2").path
        try #require(try await s.run(["join", s.data, "--node", "node-2"], data: target).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: target + "/ledger/blocks.log"))

        let alone = try await s.run(["traffic", "--calls", "1"], data: target)
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("belongs to node-2 of a cluster: run 'govconsole serve --data \(target) --node node-2 --etcd"), "\(alone.stderr)")
        let other = try await s.run(["serve", "--node", "node-1", "--etcd", "http://127.0.0.1:9"], data: target)
        #expect(other.status == 1)
        #expect(other.stderr.contains("was joined as node-2, not node-1; run it with --node node-2"), "\(other.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/ledger/blocks.log")) == before)
    }

    /// Join reads the source without its lock, so it works while a service owns it, into a directory
    /// whose parents do not exist yet.
    @Test func joinWorksWhileTheSourceIsServed() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let service = try await ServiceProcess(s)
        defer { service.kill() }
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
        let target = s.root.appendingPathComponent("orgs/second/org-6").path

        let r = try await s.run(["join", s.data, "--node", "node-6"], data: target)
        try #require(r.status == 0, "join beside serve failed: \(r.stderr)")
        #expect(r.stdout.hasPrefix("joined consortium 'demo' as node-6 in \(target)\ngenesis  "), "\(r.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target + "/keys") == ["node-6.key"])
        #expect(try await s.status().height == 1, "the service went on serving the source")
        #expect(service.child.isRunning)
    }

    @Test func eachBadInputIsOneLineAndLeavesNothing() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let root = s.root.path
        let notData = root + "/not-data"
        try FileManager.default.createDirectory(atPath: notData, withIntermediateDirectories: true)
        let occupied = root + "/occupied"
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: occupied + "/notes.txt"))
        let plainFile = root + "/plain-file"
        try Data().write(to: URL(fileURLWithPath: plainFile))
        // A copy of the source whose block 0 is damaged (a byte of its signature, the body's last).
        let damaged = root + "/damaged"
        try FileManager.default.copyItem(atPath: s.data, toPath: damaged)
        let genesisEnd = try Self.firstRecordEnd(damaged + "/ledger/blocks.log")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged + "/ledger/blocks.log"))
        bytes[genesisEnd - 1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: damaged + "/ledger/blocks.log"))
        // The source's node-5 key replaced by node-4's; node-6's key gone; node-2's readable by others.
        try FileManager.default.removeItem(atPath: s.data + "/keys/node-5.key")
        try FileManager.default.copyItem(atPath: s.data + "/keys/node-4.key", toPath: s.data + "/keys/node-5.key")
        try FileManager.default.removeItem(atPath: s.data + "/keys/node-6.key")
        chmod(s.data + "/keys/node-2.key", 0o644)
        let ledger = try Data(contentsOf: URL(fileURLWithPath: s.ledgerFile))
        let keys = try FileManager.default.contentsOfDirectory(atPath: s.data + "/keys").sorted()

        let fresh = root + "/org"
        let cases: [(source: String, node: String, target: String, mentioning: String)] = [
            (root + "/nowhere", "node-1", fresh, "no data directory at \(root)/nowhere; name the directory 'govconsole init' created"),
            (notData, "node-1", fresh, "\(notData) is not a govconsole data directory (it has no ledger/blocks.log)"),
            (s.data, "alice", fresh, "'alice' is a voter of consortium 'demo', not a node; its nodes are node-1, node-2, node-3, node-4, node-5, node-6: pass one of them to --node"),
            (s.data, "zed", fresh, "'zed' is not a node of consortium 'demo'; its nodes are node-1"),
            (damaged, "node-1", fresh, "cannot read the genesis block in \(damaged): the ledger is corrupt at height 0: record checksum mismatch"),
            (s.data, "node-6", fresh, "no key for node-6 in \(s.data)/keys"),
            (s.data, "node-2", fresh, "key file \(s.data)/keys/node-2.key is readable by others (mode 644); run 'chmod 600"),
            (s.data, "node-5", fresh, "\(s.data)/keys/node-5.key is not node-5's key"),
            (s.data, "node-1", occupied, "\(occupied) already exists and is not empty; choose another --data directory or remove it"),
            (s.data, "node-1", plainFile, "\(plainFile) already exists and is not a directory"),
            (s.data, "node-1", s.data + "/org", "\(s.data)/org is inside the consortium's data directory \(s.data); pass a --data directory outside it"),
            (s.data, "node-1", s.data, "is inside the consortium's data directory"),
        ]
        for c in cases {
            let r = try await s.run(["join", c.source, "--node", c.node], data: c.target)
            Sandbox.expectRefusal(r, code: 1, mentioning: c.mentioning)
            #expect(!FileManager.default.fileExists(atPath: fresh) && !FileManager.default.fileExists(atPath: s.data + "/org"),
                    "join \(c.node) into \(c.target) left a directory behind")
            #expect(Self.staging(in: root).isEmpty && Self.staging(in: s.data).isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["notes.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.ledgerFile)) == ledger, "the source ledger changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.data + "/keys").sorted() == keys)

        // A symbolic link cannot hide that the target lies inside the source.
        let link = root + "/link-to-data"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: s.data)
        Sandbox.expectRefusal(try await s.run(["join", s.data, "--node", "node-1"], data: link + "/org"), code: 1, mentioning: "is inside the consortium's data directory")
        #expect(!FileManager.default.fileExists(atPath: s.data + "/org"))

        // An existing empty directory is taken.
        try FileManager.default.removeItem(atPath: occupied + "/notes.txt")
        let taken = try await s.run(["join", s.data, "--node", "node-1"], data: occupied)
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied + "/keys") == ["node-1.key"])
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o777 }
    }

    /// Where the ledger's first record (block 0) ends: its frame is magic, length, two checks, body.
    static func firstRecordEnd(_ ledger: String) throws -> Int {
        let header = try #require(FileManager.default.contents(atPath: ledger)?.prefix(8))
        return 20 + header.dropFirst(4).reduce(0) { $0 << 8 | Int($1) }
    }

    /// Staging directories join left in `directory`.
    static func staging(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".join-") }
    }
}
