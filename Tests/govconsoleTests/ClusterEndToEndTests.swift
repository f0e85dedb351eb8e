import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15's faults with real processes: three `govconsole serve --node … --etcd …` engines on
/// directories made by `govconsole join`, a 3-member etcd of their own, clients as `govconsole`
/// commands. Serialized: each test runs six processes (three etcd members, three engines), too many for
/// several at once on two cores. Every fault point is progress (acknowledgements, heights), never a delay.
@Suite(.serialized) struct ClusterEndToEndTests {
    /// 12 voters on 4 proposals, each voter through its organisation's engine; node-3 is SIGKILLed after
    /// the twelfth acknowledgement and started again with the same command line.
    @Test func anEngineKilledUnderLoadCatchesUpAndLosesNoAcknowledgedVote() async throws {
        let voters = (1...12).map { "v\($0)" }
        let proposals = 4
        try await EngineProcesses.with(init: ["--admin", "ops", "--quorum", "1"] + voters.flatMap { ["--voter", $0] }) { c in
            try await Self.killUnderLoad(c, voters: voters, proposals: proposals)
        }
    }

    private static func killUnderLoad(_ c: EngineProcesses, voters: [String], proposals: Int) async throws {
        let s = c.sandbox
        for p in 1...proposals {
            try await s.ok("propose", "set-policy", "--voting-period", "\(3600 + p)s", "--as", "ops", "--service", c.service(p % 3))
        }
        let base = try await c.converged(atLeast: UInt64(proposals))
        let victim = 2
        // Attached to the victim by its directory, as a console would be; from the next height, named.
        let follower = try Background(s, ["events", "--follow", "--json", "--from", "\(base.height + 1)"], data: c.directories[victim])

        let acknowledged = Mutex<[VoteJSON]>([])
        let failures = Mutex<[String]>([])
        // Each voter holds its last vote until the kill: votes are still to come when it lands, whatever
        // the machine's speed (the fault point is set by progress, not by how much fits in a moment).
        let killed = Atomic<Bool>(false)
        let group = DispatchGroup()
        for (i, voter) in voters.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for p in 1...proposals {
                    if p == proposals { Background.hold(until: killed) }
                    // Told to use its engine: a voter that starts while it is down waits for it.
                    guard let run = try? Background(s, ["vote", "\(p)", "approve", "--as", voter, "--json", "--service", c.service(i % 3)]) else { continue }
                    let r = run.waitBlocking()
                    if r.status == 0, let v = try? r.decode(VoteJSON.self) {
                        acknowledged.withLock { $0.append(v) }
                    } else {
                        failures.withLock { $0.append("\(voter) on \(p) via \(EngineProcesses.nodes[i % 3]): \(r.stderr)") }
                    }
                }
            }
        }
        let total = voters.count * proposals
        let deadline = Date().addingTimeInterval(300)
        while acknowledged.withLock({ $0.count }) < voters.count && Date() < deadline { try? await Task.sleep(for: .seconds(0.02)) }
        let heightBeforeKill = try await c.status(victim).height
        let acksBeforeKill = acknowledged.withLock { $0.count }
        #expect(try await c.engine(victim).stop(SIGKILL) == SIGKILL)
        killed.store(true, ordering: .releasing)
        let restarted = try await c.start(victim)
        #expect(await Background.finished(group, within: 600), "the voters never finished")

        // The restarted engine opened its own ledger where it was and went on from there.
        let announced = restarted.text.firstMatch(of: /at height (\d+) on/).flatMap { UInt64($0.1) }
        #expect(announced.map { $0 >= heightBeforeKill } == true, "restart announced \(String(describing: announced)), before the kill \(heightBeforeKill)")
        #expect(acksBeforeKill < total, "the kill came while votes were still arriving")
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })\n\(c.logText())")
        let acks = acknowledged.withLock { $0 }
        #expect(acks.count == total)

        // The killed engine's node may have been recorded down meanwhile, and up again since.
        let final = try await c.converged(atLeast: try c.routingSettled().height)
        for i in c.directories.indices {
            let blocks = try await c.ok(["blocks", "--json", "--limit", "100000"], on: i).decode([BlockTxJSON].self)
            #expect(blocks.map(\.height) == Array(0...final.height), "\(EngineProcesses.nodes[i]) has every block once, in order")
            let ids = Set(blocks.flatMap(\.transactions).map(\.id))
            let missing = acks.filter { !ids.contains($0.tx) }
            #expect(missing.isEmpty, "acknowledged votes missing from \(EngineProcesses.nodes[i]): \(missing.map(\.tx))")
            for p in 1...proposals {
                let shown: ProposalJSON = try await c.ok(["show", "\(p)", "--json"], on: i).decode()
                #expect(shown.tally.approve == UInt64(voters.count) && shown.status == "passed", "\(EngineProcesses.nodes[i]) proposal \(p): \(shown.tally)")
            }
        }
        // The console's way of following rode out the restart and printed every vote once.
        #expect(await follower.waitForLines(containing: "\"VoteCast\"", count: total),
                "the follower printed \(follower.stdout.components(separatedBy: "VoteCast").count - 1) votes; stderr: \(follower.stderr)")
        #expect(follower.stderr.contains("reconnected"), "follower stderr: \(follower.stderr)")
        try? await Task.sleep(for: .seconds(0.3))
        #expect(follower.stdout.components(separatedBy: "\"VoteCast\"").count - 1 == total)
        follower.child.signal(SIGTERM)
        await follower.child.wait()
        try await Self.expectClusterAgrees(c, at: final.height)

        await c.stopEngines()
        let ledgers = try c.ledgers()
        #expect(ledgers.allSatisfy { $0 == ledgers[0] }, "the three ledgers differ")
    }

    /// node-3 is SIGSTOPped while the other two commit six more blocks, then let run: it catches up,
    /// and the three ledgers end byte for byte the same, each verifying to the same state root.
    @Test func aStoppedEngineCatchesUpWithNoDuplicateOrReorderedBlock() async throws {
        try await EngineProcesses.with(init: ["--demo"]) { c in
            let s = c.sandbox
            for p in 1...2 { try await s.ok("propose", "set-policy", "--voting-period", "\(3600 + p)s", "--as", "ops", "--service", c.service(0)) }
            let before = try await c.converged(atLeast: 2)
            let stopped = try c.engine(2)
            stopped.child.signal(SIGSTOP)
            // Progress, not time: until the two running engines are six blocks past the stopped one.
            var sent = 0
            while try await c.status(0).height < before.height + 6 {
                sent += 1
                try #require(sent <= 60, "six proposals should have made six blocks")
                try await s.ok("propose", "set-policy", "--voting-period", "\(4000 + sent)s", "--as", "ops", "--service", c.service(sent % 2))
            }
            let ahead = try await c.converged(atLeast: before.height + 6, [0, 1])
            stopped.child.signal(SIGCONT)
            // Stopped past its lease, node-3 was recorded down; running again, it records itself up.
            let final = try await c.converged(atLeast: max(ahead.height, try c.routingSettled().height))
            #expect(final.proposals == ["voting": 2 + sent])
            try await Self.expectClusterAgrees(c, at: final.height)
            await c.stopEngines()
            try await Self.expectIdenticalVerifiedLedgers(c, height: final.height)
        }
    }

    /// Every engine's status sees the other two again, has taken the order up to `height` with nothing
    /// refused, and finds the checkpoints in agreement.
    static func expectClusterAgrees(_ c: EngineProcesses, at height: UInt64) async throws {
        for (i, view) in try await c.clusterViews().enumerated() {
            #expect(view.node == EngineProcesses.nodes[i] && view.position == height, "\(view)")
            #expect(view.refusedEntries == 0 && view.checkpointsAgree, "\(view)")
        }
    }

    /// Byte-identical ledgers, each passing `govconsole verify` at `height` with the same state root.
    static func expectIdenticalVerifiedLedgers(_ c: EngineProcesses, height: UInt64) async throws {
        let ledgers = try c.ledgers()
        #expect(ledgers.allSatisfy { $0 == ledgers[0] }, "the three ledgers differ:\n\(c.logText())")
        var roots: [String] = []
        for (i, dir) in c.directories.enumerated() {
            let report = try await c.ok(["verify", "--json"], on: i).object()
            #expect(report["ok"] as? Bool == true && report["height"] as? Int == Int(height), "verify \(dir): \(report)")
            roots.append(try #require(report["stateRoot"] as? String, "verify \(dir) has no state root: \(report)"))
        }
        #expect(Set(roots).count == 1, "state roots differ: \(roots)")
    }
}
