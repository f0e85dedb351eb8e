import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `govconsole serve` process on a sandbox's data directory (or on `data`, another directory in it).
final class ServiceProcess: Sendable {
    let child: Child
    let output: URL

    init(_ sandbox: Sandbox, _ extra: [String] = [], data: String? = nil) async throws {
        output = sandbox.root.appendingPathComponent("serve-\(UUID().uuidString).log")
        child = try Child(try Sandbox.executable().path, ["serve", "--data", data ?? sandbox.data] + extra, stdout: output.path, stderr: output.path)
        let deadline = Date().addingTimeInterval(120)
        while !text.contains("serving ") {
            guard child.isRunning, Date() < deadline else { throw ServiceStartFailed(log: text) }
            try? await Task.sleep(for: .seconds(0.05))
        }
    }

    var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        child.signal(signal)
        return await child.wait()
    }

    /// Kills the process and reaps it: cleanup for `defer`, which cannot await; the blocking wait after
    /// SIGKILL is brief.
    func kill() {
        child.signal(SIGKILL)
        child.waitBlocking()
    }

    struct ServiceStartFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "govconsole serve did not start: \(log)" }
    }
}

struct VoteJSON: Decodable { let tx: String; let voter: String; let proposal: UInt64 }
struct BlockTxJSON: Decodable {
    struct Tx: Decodable { let id: String; let sender: String }
    let height: UInt64
    let transactions: [Tx]
}

@Suite(.serialized) struct ServiceEndToEndTests {
    @Test func commandsAttachToTheServiceAndSignWithTheirOwnKeys() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let service = try await ServiceProcess(sandbox)
        let socket = sandbox.data + "/govconsole.sock"
        var st = stat()
        #expect(stat(socket, &st) == 0 && st.st_mode & 0o777 == 0o600, "the socket is owner-only")

        let status = try await sandbox.ok("status", "--json").object()
        #expect(status["engine"] as? String == "service unix:\(socket)")
        // From the next height, named: a follower that is slow to start still misses nothing.
        let follower = try Background(sandbox, ["events", "--follow", "--json", "--from", "\(try await sandbox.status().height + 1)"])

        // bob's terminal holds bob's key and nobody else's.
        let bobKeys = try sandbox.keystore(holding: "bob")

        try await sandbox.ok("propose", "remove-member", "erin", "--as", "ops")
        try await sandbox.ok("vote", "1", "approve", "--as", "bob", "--keys", bobKeys)
        try await sandbox.refused(["vote", "1", "approve", "--as", "alice", "--keys", bobKeys], code: 1, mentioning: "no key for 'alice'")
        #expect(try await sandbox.show(1).votes == [.init(voter: "bob", choice: "approve")])

        #expect(await follower.waitForLines(containing: "\"VoteCast\"", count: 1), "the follower never printed the vote: \(follower.stdout)")
        let cast = follower.stdout.split(separator: "\n").first { $0.contains("VoteCast") }.map(String.init) ?? ""
        #expect(cast.contains("\"voter\":\"bob\""))

        #expect(await service.stop(SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: socket), "a stopped service removes its socket")
        // With no service, commands run the engine themselves again.
        let after = try await sandbox.ok("status", "--json").object()
        #expect(after["engine"] as? String == "embedded")
        #expect(try await sandbox.show(1).votes == [.init(voter: "bob", choice: "approve")])
    }

    /// 50 voters, each its own process, all at once: every vote is counted, once.
    @Test func fiftyConcurrentVotersAreEachCountedOnce() async throws {
        let sandbox = try Sandbox()
        let voters = (1...50).map { "v\($0)" }
        // Everyone must vote (quorum 100%), so the vote stays open until the last one arrives.
        try await sandbox.okArgs(["init", "--admin", "ops", "--quorum", "1"] + voters.flatMap { ["--voter", $0] })
        let service = try await ServiceProcess(sandbox)
        try await sandbox.ok("propose", "remove-member", "v1", "--as", "ops")

        let running = try voters.map { try Background(sandbox, ["vote", "1", "approve", "--as", $0, "--json"]) }
        var results: [CLIResult] = []
        for r in running { results.append(await r.wait()) }
        for (voter, r) in zip(voters, results) {
            #expect(r.status == 0, "\(voter): \(r.stderr)")
        }
        let p = try await sandbox.show(1)
        #expect(p.tally.approve == 50)
        #expect(Set(p.votes.map(\.voter)) == Set(voters) && p.votes.count == 50)
        #expect(p.status == "passed")
        let events = try JSONSerialization.jsonObject(with: Data(try await sandbox.ok("events", "--proposal", "1", "--json").stdout.utf8)) as? [[String: Any]] ?? []
        let cast = events.filter { $0["type"] as? String == "VoteCast" }.compactMap { $0["voter"] as? String }
        #expect(cast.count == 50 && Set(cast) == Set(voters), "each voter's vote is recorded exactly once")
        await service.stop()
    }

    /// The service is killed while 20 voters are voting on 8 proposals, and started again. Voters whose
    /// requests were in flight send them again; nothing acknowledged is lost and nothing is counted twice.
    @Test func aServiceKilledUnderLoadLosesNoAcknowledgedVote() async throws {
        let sandbox = try Sandbox()
        let voters = (1...20).map { "v\($0)" }
        let proposals = 8
        try await sandbox.okArgs(["init", "--admin", "ops", "--quorum", "1"] + voters.flatMap { ["--voter", $0] })
        var service = try await ServiceProcess(sandbox)
        let socket = "unix:" + sandbox.data + "/govconsole.sock"
        for i in 1...proposals {
            try await sandbox.ok("propose", "set-policy", "--voting-period", "\(3600 + i)s", "--as", "ops")
        }
        // From the next height, named: a follower that is slow to start still misses nothing.
        let follower = try Background(sandbox, ["events", "--follow", "--json", "--from", "\(try await sandbox.status().height + 1)"])

        let acknowledged = Mutex<[VoteJSON]>([])
        let failures = Mutex<[String]>([])
        // Each voter holds its last vote until the kill, so votes are still to come when it lands.
        let killed = Atomic<Bool>(false)
        let group = DispatchGroup()
        for voter in voters {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for p in 1...proposals {
                    if p == proposals { Background.hold(until: killed) }
                    // Told to use the service: a voter that starts while it is down waits for it.
                    guard let run = try? Background(sandbox, ["vote", "\(p)", "approve", "--as", voter, "--json", "--service", socket]) else { continue }
                    let r = run.waitBlocking()
                    if r.status == 0, let v = try? r.decode(VoteJSON.self) {
                        acknowledged.withLock { $0.append(v) }
                    } else {
                        failures.withLock { $0.append("\(voter) on \(p): \(r.stderr)") }
                    }
                }
            }
        }
        let deadline = Date().addingTimeInterval(180)
        while acknowledged.withLock({ $0.count }) < 40 && Date() < deadline { try? await Task.sleep(for: .seconds(0.02)) }
        let beforeKill = acknowledged.withLock { $0.count }
        await service.stop(SIGKILL)
        killed.store(true, ordering: .releasing)
        try? await Task.sleep(for: .seconds(0.5))
        service = try await ServiceProcess(sandbox)
        #expect(await Background.finished(group, within: 600), "the voters never finished")

        #expect(beforeKill < voters.count * proposals, "the kill came while votes were still arriving")
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let acks = acknowledged.withLock { $0 }
        #expect(acks.count == voters.count * proposals)

        let blocks = try await sandbox.ok("blocks", "--json", "--limit", "100000").decode([BlockTxJSON].self)
        let ids = blocks.flatMap(\.transactions).map(\.id)
        #expect(Set(ids).count == ids.count)
        let missing = acks.filter { !ids.contains($0.tx) }
        #expect(missing.isEmpty, "acknowledged votes missing from the ledger: \(missing.map(\.tx))")
        for p in 1...proposals {
            let shown = try await sandbox.show(p)
            #expect(shown.tally.approve == UInt64(voters.count) && shown.votes.count == voters.count, "proposal \(p): \(shown.tally)")
        }
        // The follower rode out the restart and, resuming from its last height, printed every vote once.
        #expect(await follower.waitForLines(containing: "\"VoteCast\"", count: voters.count * proposals),
                "the follower printed \(follower.stdout.components(separatedBy: "VoteCast").count - 1) votes; stderr: \(follower.stderr)")
        #expect(follower.stderr.contains("reconnected"))
        try? await Task.sleep(for: .seconds(0.3))
        #expect(follower.stdout.components(separatedBy: "\"VoteCast\"").count - 1 == voters.count * proposals)
        await service.stop()
    }
}
