import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs `govconsole ARGS --data DIR` with its files limited to `fileSize` bytes and SIGXFSZ ignored,
/// so a write past the limit fails with EFBIG: a real kernel error through the real code path.
private func limited(_ s: Sandbox, fileSize: Int, _ args: [String]) async throws -> CLIResult {
    let out = s.root.appendingPathComponent("limited-\(UUID().uuidString).out").path
    let err = s.root.appendingPathComponent("limited-\(UUID().uuidString).err").path
    // An ignored signal stays ignored across exec, through prlimit into govconsole.
    let child = try Child("/bin/sh", ["-c", "trap '' XFSZ; exec \"$@\"", "sh", "prlimit", "--fsize=\(fileSize)", "--",
                                      try Sandbox.executable().path] + args + ["--data", s.data], stdout: out, stderr: err)
    let status = await child.wait()
    return CLIResult(status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

private func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

@Suite struct LedgerFaultEndToEndTests {
    @Test func aWriteThatCannotGrowTheLedgerNamesItsCauseAndLosesNothing() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
        let ledger = try #require(bytes(s.ledgerFile))
        let snapshotPath = s.data + "/ledger/state.snapshot"
        let staging = snapshotPath + ".new"

        // Room for ten more bytes: the block's write stops short, and writing the rest fails with EFBIG.
        let full = try await limited(s, fileSize: ledger.count + 10, ["vote", "1", "approve", "--as", "alice"])
        Sandbox.expectRefusal(full, code: 1, mentioning: "cannot write block 2 to \(s.ledgerFile): file too large; nothing after block 1 was written")
        #expect(full.stderr.contains("raise it and retry"), "\(full.stderr)")
        #expect(bytes(s.ledgerFile) == ledger, "the part of the block that was written is not cut off again")
        #expect(!FileManager.default.fileExists(atPath: staging))

        // Reading needs no room.
        let status = try await limited(s, fileSize: ledger.count + 10, ["status", "--json"])
        #expect(status.status == 0 && status.stderr.isEmpty, "\(status.stderr)")
        #expect(try status.decode(StatusJSON.self).height == 1)

        // Room for bob's block but not for a whole new snapshot: the vote is acknowledged, and the
        // snapshot that failed leaves no staging file and the previous snapshot whole.
        let snapshot = try #require(bytes(snapshotPath))
        let bob = try await limited(s, fileSize: snapshot.count - 1, ["vote", "1", "approve", "--as", "bob"])
        try #require(bob.status == 0, "the limit was to leave room for bob's block: \(bob.stderr)")
        #expect(!FileManager.default.fileExists(atPath: staging), "a failed snapshot left its staging file")
        #expect(bytes(snapshotPath) == snapshot)

        // Once the limit is gone the writer carries on; nothing acknowledged is missing.
        #expect(try await s.show(1).votes == [.init(voter: "bob", choice: "approve")])
        try await s.ok("vote", "1", "approve", "--as", "alice")
        #expect(await Set(try s.show(1).votes.map(\.voter)) == ["alice", "bob"])
        let report = try await s.ok("verify", "--json").object()
        #expect(report["ok"] as? Bool == true && report["height"] as? Int == 3)
    }

    @Test func readingCommandsLeaveATornTailForTheWriter() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
        let torn = try #require(bytes(s.ledgerFile)) + Data("GCB1".utf8)
        try torn.write(to: URL(fileURLWithPath: s.ledgerFile))

        #expect(try await s.status().height == 1)
        let report = try await s.ok("verify", "--json").object()
        #expect(report["ok"] as? Bool == true && report["height"] as? Int == 1 && report["unfinished"] != nil)
        let text = try await s.ok("verify")
        #expect(text.stdout.contains("not audited: 4 bytes of a partial record header after height 1"), "\(text.stdout)")
        #expect(bytes(s.ledgerFile) == torn)
        #expect(!FileManager.default.fileExists(atPath: s.data + "/ledger/torn-tail-2.bin"))

        let vote = try await s.run(["vote", "1", "approve", "--as", "alice"])
        #expect(vote.status == 0 && vote.stderr.contains("cut back to the last whole block (height 1)"), "\(vote.stderr)")
        #expect(FileManager.default.fileExists(atPath: s.data + "/ledger/torn-tail-2.bin"))
    }

    @Test func verifyAuditsALedgerARunningServiceIsWriting() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let service = try await ServiceProcess(s)
        // Calls go to the service while verify runs again and again beside it.
        let writers = ["alice", "bob", "carol", "dave", "erin"].map { v in try? Background(s, ["call", "asset-ledger", "issue", "1", "--as", v]) }
        var heights: [Int] = []
        for _ in 0..<4 {
            let report = try await s.ok("verify", "--json").object()
            #expect(report["ok"] as? Bool == true, "\(report)")
            heights.append(report["height"] as? Int ?? -1)
        }
        for w in writers { #expect(await w?.wait().status == 0, "\(w?.stderr ?? "not started")") }
        #expect(heights == heights.sorted(), "\(heights)")
        let final = try await s.ok("verify")
        let height = try await s.status().height
        #expect(final.stdout.hasPrefix("ledger OK up to height \(height)"), "\(final.stdout)")
        #expect(await service.stop(SIGTERM) == 0)
    }

    @Test func aWriterRefusesLooseKeysAndDirectoriesInOneLine() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let keys = s.data + "/keys"
        for (path, mode, fix) in [(keys + "/node-1.key", mode_t(0o644), "run 'chmod 600 \(keys)/node-1.key'"),
                                  (keys + "/alice.key", 0o644, "run 'chmod 600 \(keys)/alice.key'"),
                                  (keys, 0o777, "run 'chmod go-w \(keys)'"),
                                  (s.data, 0o777, "run 'chmod go-w \(s.data)'")] {
            var st = stat()
            #expect(stat(path, &st) == 0 && chmod(path, mode) == 0)
            let ledger = bytes(s.ledgerFile)
            try await s.refused(["propose", "add-member", "frank", "--as", "ops"], code: 1, mentioning: fix)
            #expect(bytes(s.ledgerFile) == ledger)
            #expect(chmod(path, st.st_mode & 0o777) == 0)
        }
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
    }

    /// A data directory made by hand under umask 002 is refused by `init` itself, with nothing written,
    /// rather than accepted and then refused by every command after it.
    @Test func initRefusesADirectoryOthersCanWrite() async throws {
        let s = try Sandbox()
        try FileManager.default.createDirectory(atPath: s.data, withIntermediateDirectories: true)
        #expect(chmod(s.data, 0o775) == 0)
        let r = try await s.run(["init", "--demo"])
        Sandbox.expectRefusal(r, code: 1, mentioning: "run 'chmod go-w \(s.data)'")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.data).isEmpty, "init wrote nothing")
        #expect(chmod(s.data, 0o700) == 0)
        try await s.ok("init", "--demo")
    }
}
