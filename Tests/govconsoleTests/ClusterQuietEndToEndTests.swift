import Foundation
import Testing

/// The cluster when nobody sends anything, and when etcd is gone: part of ClusterEndToEndTests, so
/// serialized with its other tests.
extension ClusterEndToEndTests {
    /// A proposal nobody votes on reaches its deadline with no traffic at all: some engine's tick seals
    /// the closing, every ledger records it once, and the ledgers stay identical.
    @Test func aDeadlineClosesInEveryLedgerWithNoTraffic() async throws {
        try await EngineProcesses.with(init: ["--demo", "--voting-period", "5s"]) { c in
            try await c.sandbox.ok("propose", "add-member", "frank", "--as", "ops", "--service", c.service(1))
            // Only reads from here on: each engine is asked until its ledger holds the closing.
            for i in c.directories.indices {
                let deadline = Date().addingTimeInterval(180)
                while try await Self.expiries(c, on: i) == 0 {
                    try #require(Date() < deadline, "\(EngineProcesses.nodes[i]) never recorded the closing:\n\(c.logText())")
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            let final = try await c.converged(atLeast: try c.status(0).height)
            for i in c.directories.indices {
                #expect(try await Self.expiries(c, on: i) == 1, "\(EngineProcesses.nodes[i]) recorded the closing once")
                let shown: ProposalJSON = try await c.ok(["show", "1", "--json"], on: i).decode()
                #expect(shown.status == "expired")
            }
            await c.stopEngines()
            try await Self.expectIdenticalVerifiedLedgers(c, height: final.height)
        }
    }

    /// How many ProposalExpired events for proposal 1 engine `i`'s ledger holds.
    static func expiries(_ c: EngineProcesses, on i: Int) async throws -> Int {
        let events = try JSONSerialization.jsonObject(with: Data(try await c.ok(["events", "--proposal", "1", "--json"], on: i).stdout.utf8))
        return ((events as? [[String: Any]]) ?? []).filter { $0["type"] as? String == "ProposalExpired" }.count
    }

    /// With all three etcd members killed, a vote through an engine is refused in one line naming etcd,
    /// no ledger moves, and the engine still answers status from its own ledger.
    @Test func withEtcdGoneAVoteIsRefusedNamingEtcdAndStatusStillAnswers() async throws {
        try await EngineProcesses.with(init: ["--demo"]) { c in
            try await c.sandbox.ok("propose", "add-member", "frank", "--as", "ops", "--service", c.service(0))
            let agreed = try await c.converged(atLeast: 1)
            for member in c.etcd.endpoints.indices { await c.etcd.kill(member: member) }
            let before = try c.ledgers()
            let r = try await c.sandbox.run(["vote", "1", "approve", "--as", "alice", "--service", c.service(1)])
            Sandbox.expectRefusal(r, code: 1, mentioning: "etcd")
            #expect(try c.ledgers() == before, "a ledger moved")

            let status = try await c.ok(["status", "--json"], on: 1)
            let decoded: StatusJSON = try status.decode()
            #expect(decoded == agreed, "status answers from the local ledger")
            let cluster = try #require(try status.object()["cluster"] as? [String: Any], "\(status.stdout)")
            #expect((cluster["problem"] as? String)?.contains("etcd unreachable") == true, "\(cluster)")
            let text = try await c.ok(["status"], on: 1)
            #expect(text.stdout.contains("etcd unreachable"), "\(text.stdout)")
            let shown: ProposalJSON = try await c.ok(["show", "1", "--json"], on: 1).decode()
            #expect(shown.votes.isEmpty)
        }
    }
}
