import Foundation
import Testing

// End-to-end tests of the built `govconsole` executable: every test runs it as a subprocess in its own
// temporary data directory, so they may run in parallel.

/// The demo consortium after three proposals by ops:
/// 1 executed (add-member root --role admin, so there is a second admin),
/// 2 passed with ops's permission granted (remove-member erin),
/// 3 still voting (add-member frank).
private func governed() async throws -> Sandbox {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "root", "--role", "admin", "--as", "ops")
    try await s.vote(1, "approve", by: "alice", "bob", "carol")
    try await s.ok("execute", "1", "--as", "ops")
    try await s.ok("propose", "remove-member", "erin", "--as", "ops")
    try await s.vote(2, "approve", by: "alice", "bob", "carol")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    return s
}

@Test func proposalPassesIsExecutedAndTheNewMemberCanVote() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo", "--json")
    let proposed = try await s.ok("propose", "add-member", "frank", "--as", "ops", "--json").object()
    #expect(proposed["id"] as? Int == 1)
    #expect(proposed["status"] as? String == "voting")

    try await s.vote(1, "approve", by: "alice", "bob")
    #expect(try await s.show(1).status == "voting", "2 approvals of 5 cannot decide yet")
    let third = try await s.ok("vote", "1", "approve", "--as", "carol", "--json").object()
    #expect(third["status"] as? String == "passed", "3 approvals of 5 close the vote early")

    let passed = try await s.show(1)
    #expect(passed.status == "passed")
    #expect(passed.tally == TallyJSON(approve: 3, reject: 0, abstain: 0))
    #expect(passed.votes.map(\.voter) == ["alice", "bob", "carol"])
    #expect(passed.votes.allSatisfy { $0.choice == "approve" })
    #expect(passed.pending == ["dave", "erin"])
    #expect(passed.permission.state == "granted")
    #expect(passed.permission.holder == "ops")
    #expect(passed.permission.expires != nil)
    #expect(try await s.status().proposals == ["passed": 1])

    let executed = try await s.ok("execute", "1", "--as", "ops", "--json").object()
    #expect(executed["status"] as? String == "executed")
    #expect(executed["by"] as? String == "ops")
    let done = try await s.show(1)
    #expect(done.status == "executed")
    #expect(done.permission.state == "consumed")
    #expect(try await s.members().contains(MemberJSON(name: "frank", role: "voter", weight: 1)))

    // frank is now in the electorate of a new proposal and his vote counts.
    try await s.ok("propose", "remove-member", "dave", "--as", "ops")
    try await s.vote(2, "reject", by: "frank")
    let second = try await s.show(2)
    #expect(second.votes == [ProposalJSON.Vote(voter: "frank", choice: "reject")])
    #expect(second.tally == TallyJSON(approve: 0, reject: 1, abstain: 0))
    #expect(second.pending.contains("dave") && !second.pending.contains("frank"))
}

@Test func showJSONHasTheKeysTheSpecRequires() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    try await s.vote(1, "approve", by: "alice")
    let raw = try await s.ok("show", "1", "--json").object()
    for key in ["id", "operation", "target", "proposer", "status", "deadline", "tally", "quorum", "threshold",
                "votes", "pending", "permission", "events"] {
        #expect(raw[key] != nil, "show --json lacks \(key)")
    }
    #expect(raw["operation"] as? String == "add-member")
    #expect(raw["target"] as? String == "frank")
    #expect(raw["proposer"] as? String == "ops")
    #expect(raw["quorum"] as? Double == 0.5)
    #expect(raw["threshold"] as? Double == 0.5)
    #expect((raw["deadline"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } != nil, "deadline is ISO 8601")
    let tally = try #require(raw["tally"] as? [String: Any])
    for key in ["approve", "reject", "abstain"] { #expect(tally[key] != nil, "tally lacks \(key)") }
    let votes = try #require(raw["votes"] as? [[String: Any]])
    #expect(votes.count == 1)
    #expect(votes.first?["voter"] as? String == "alice")
    #expect(votes.first?["choice"] as? String == "approve")
    #expect((raw["pending"] as? [String])?.count == 4)
    let permission = try #require(raw["permission"] as? [String: Any])
    #expect(permission["state"] as? String == "none")
    #expect(permission.keys.contains("state"))
    let events = try #require(raw["events"] as? [[String: Any]])
    let types = events.compactMap { $0["type"] as? String }
    #expect(types.first == "ProposalSubmitted")
    #expect(types.filter { $0 == "VoteRequested" }.count == 5)
    #expect(types.contains("VoteCast"))

    // Once granted, the permission carries its expiry.
    try await s.vote(1, "approve", by: "bob", "carol")
    let granted = try #require(try await s.ok("show", "1", "--json").object()["permission"] as? [String: Any])
    #expect(granted["state"] as? String == "granted")
    #expect((granted["expires"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } != nil)
}

/// A request the CLI must refuse, run against `governed()`.
struct Refusal: Sendable, CustomTestStringConvertible {
    let name: String
    let args: [String]
    let mentioning: String
    var code: Int32 = 1
    var testDescription: String { name }
}

private let refusals: [Refusal] = [
    Refusal(name: "unknown identity", args: ["propose", "remove-member", "dave", "--as", "zed"], mentioning: "unknown identity 'zed'"),
    Refusal(name: "a voter proposing", args: ["propose", "remove-member", "dave", "--as", "alice"], mentioning: "only admins"),
    Refusal(name: "a non-member voting", args: ["vote", "3", "approve", "--as", "zed"], mentioning: "unknown identity 'zed'"),
    Refusal(name: "an admin voting", args: ["vote", "3", "approve", "--as", "ops"], mentioning: "only voters"),
    Refusal(name: "voting on an executed proposal", args: ["vote", "1", "approve", "--as", "dave"], mentioning: "closed"),
    Refusal(name: "voting on a passed proposal", args: ["vote", "2", "reject", "--as", "dave"], mentioning: "closed"),
    Refusal(name: "voting on an unknown proposal", args: ["vote", "99", "approve", "--as", "dave"], mentioning: "no proposal 99"),
    Refusal(name: "an unknown choice", args: ["vote", "3", "maybe", "--as", "dave"], mentioning: "unknown choice 'maybe'"),
    Refusal(name: "execute by a voter", args: ["execute", "2", "--as", "alice"], mentioning: "only admins"),
    Refusal(name: "execute by an admin who did not propose", args: ["execute", "2", "--as", "root"], mentioning: "only ops"),
    Refusal(name: "execute while voting", args: ["execute", "3", "--as", "ops"], mentioning: "must pass"),
    Refusal(name: "execute twice", args: ["execute", "1", "--as", "ops"], mentioning: "already executed"),
    Refusal(name: "execute an unknown proposal", args: ["execute", "99", "--as", "ops"], mentioning: "no proposal 99"),
    Refusal(name: "cancel by an admin who did not propose", args: ["cancel", "3", "--as", "root"], mentioning: "only ops"),
    Refusal(name: "cancel by a voter", args: ["cancel", "3", "--as", "alice"], mentioning: "only admins"),
    Refusal(name: "cancel after the vote passed", args: ["cancel", "2", "--as", "ops"], mentioning: "passed"),
    Refusal(name: "proposing an existing member", args: ["propose", "add-member", "alice", "--as", "ops"], mentioning: "already a member"),
    Refusal(name: "show an unknown proposal", args: ["show", "99"], mentioning: "no proposal 99"),
    Refusal(name: "init --demo again without --force", args: ["init", "--demo"], mentioning: "--force"),
    Refusal(name: "a missing argument", args: ["vote", "3", "--as", "dave"], mentioning: "govconsole vote --help", code: 64),
    Refusal(name: "a proposal id that is not a number", args: ["vote", "three", "approve", "--as", "dave"], mentioning: "--help", code: 64),
    Refusal(name: "a quorum above 1", args: ["init", "--demo", "--force", "--quorum", "2"], mentioning: "--quorum", code: 64),
    Refusal(name: "a duration that overflows", args: ["init", "--demo", "--force", "--voting-period", "199999999999d199999999999d"], mentioning: "--voting-period", code: 64),
    Refusal(name: "a duration under a second", args: ["init", "--demo", "--force", "--voting-period", "500ms"], mentioning: "1s", code: 64),
    Refusal(name: "a voter without a name", args: ["init", "--force", "--voter", ":3"], mentioning: "NAME:WEIGHT", code: 64),
    Refusal(name: "a negative block limit", args: ["blocks", "--limit=-1"], mentioning: "--limit", code: 64),
    // Read by ProposalText, as the console's :propose and propose form read them.
    Refusal(name: "a role that is not a member role", args: ["propose", "add-member", "zed", "--role", "node", "--as", "ops"],
            mentioning: "--role: not a member role; use voter or admin", code: 64),
    Refusal(name: "a percent before production", args: ["propose", "upgrade-nodes", "--to", "v2", "--stage", "gray", "--percent", "30", "--as", "ops"],
            mentioning: "--percent: applies to the production stage only", code: 64),
    Refusal(name: "a weight for an admin", args: ["propose", "add-member", "boss", "--role", "admin", "--weight", "5", "--as", "ops"], mentioning: "no weight"),
]

@Test(arguments: refusals)
func refused(_ r: Refusal) async throws {
    let s = try await governed()
    try await s.refused(r.args + ["--json"], code: r.code, mentioning: r.mentioning)
    // Nothing about the three proposals changed.
    #expect(try await s.status().proposals == ["executed": 1, "passed": 1, "voting": 1])
    #expect(try await s.show(2).permission.state == "granted")
}

@Test func executeAfterThePermissionExpiredIsRefused() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo", "--permission-ttl", "1s")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    try await s.vote(1, "approve", by: "alice", "bob", "carol")
    try await Task.sleep(for: .milliseconds(1500))
    #expect(try await s.show(1).permission.state == "expired")
    try await s.refused(["execute", "1", "--as", "ops", "--json"], code: 1, mentioning: "expired")
    #expect(try await !s.members().contains { $0.name == "frank" })
}

@Test func aMissingDataDirectoryIsRefusedAndNotCreated() async throws {
    let s = try Sandbox()
    let missing = s.root.appendingPathComponent("missing").path
    for args in [["status", "--json"], ["propose", "add-member", "frank", "--as", "ops"], ["vote", "1", "approve", "--as", "alice"]] {
        Sandbox.expectRefusal(try await s.run(args, data: missing), code: 1, mentioning: "no chain")
    }
    #expect(!FileManager.default.fileExists(atPath: missing))
}

/// The demo after add-member frank passed and was executed: blocks 0 to 5.
private func frankAdded() async throws -> Sandbox {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    try await s.vote(1, "approve", by: "alice", "bob", "carol")
    try await s.ok("execute", "1", "--as", "ops")
    #expect(try await s.status().height == 5)
    return s
}

@Test func aCorruptLedgerIsRefusedNamingTheHeight() async throws {
    let s = try await frankAdded()
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: s.ledgerFile)))
    for i in bytes.count / 2..<bytes.count / 2 + 4 { bytes[i] ^= 0xFF }
    try Data(bytes).write(to: URL(fileURLWithPath: s.ledgerFile))
    for args in [["status", "--json"], ["vote", "1", "approve", "--as", "dave"], ["propose", "remove-member", "erin", "--as", "ops"]] {
        let r = try await s.run(args)
        Sandbox.expectRefusal(r, code: 1, mentioning: "corrupt at height ")
        // The damaged ledger is left exactly as it was, for the operator to restore.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: s.ledgerFile))) == bytes)
    }
}

@Test func aDamagedLengthInAnEarlierRecordIsCorruptionNotATornTail() async throws {
    let s = try await frankAdded()
    let url = URL(fileURLWithPath: s.ledgerFile)
    var bytes = try [UInt8](Data(contentsOf: url))
    // Each record is framed: "GCB1", a 4-byte big-endian length, a 4-byte header check, an 8-byte checksum, the block.
    let genesisLength = bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
    bytes[20 + genesisLength + 5] ^= 0x10 // block 1's length now runs past the end of the file
    try Data(bytes).write(to: url)
    let r = try await s.run(["status", "--json"])
    #expect(r.status == 1 && r.stderr.contains("corrupt at height 1"), "exit \(r.status), stderr: \(r.stderr)")
    #expect(try [UInt8](Data(contentsOf: url)) == bytes, "committed blocks were truncated")
}

@Test func aLaterVoteReplacesAnEarlierOne() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    try await s.vote(1, "reject", by: "alice")
    #expect(try await s.show(1).tally == TallyJSON(approve: 0, reject: 1, abstain: 0))
    let changed = try await s.ok("vote", "1", "approve", "--as", "alice", "--json").object()
    #expect((changed["tally"] as? [String: Any])?["voted"] as? Int == 1)
    let p = try await s.show(1)
    #expect(p.tally == TallyJSON(approve: 1, reject: 0, abstain: 0))
    #expect(p.votes == [ProposalJSON.Vote(voter: "alice", choice: "approve")])
    #expect(p.status == "voting")
    // The changed vote counts toward the outcome: two more approvals pass it.
    try await s.vote(1, "approve", by: "bob", "carol")
    #expect(try await s.show(1).status == "passed")
}

@Test func aVoteWithoutQuorumExpiresAtTheDeadline() async throws {
    let s = try Sandbox()
    // Long enough that the vote surely lands before the deadline on a slow machine; then the test waits
    // for the deadline the proposal itself reports (to the second, hence the extra second), not a guess.
    try await s.ok("init", "--demo", "--voting-period", "10s")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    try await s.vote(1, "approve", by: "alice")
    let closes = try await s.show(1).closes
    try await Task.sleep(for: .milliseconds(Int(max(0, closes.timeIntervalSinceNow) * 1000) + 1_500))
    let p = try await s.show(1)
    #expect(p.status == "expired")
    #expect(p.permission.state == "none")
    try await s.refused(["vote", "1", "approve", "--as", "bob", "--json"], code: 1, mentioning: "closed")
    try await s.refused(["execute", "1", "--as", "ops", "--json"], code: 1)
    let expired = try await s.ok("proposals", "--status", "expired", "--json").decode([ProposalSummaryJSON].self)
    #expect(expired.map(\.id) == [1])
}

struct ProposalSummaryJSON: Decodable { let id: UInt64; let status: String }

@Test func theProposerCancelsAndVotingStops() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "remove-member", "erin", "--as", "ops")
    try await s.vote(1, "approve", by: "alice")
    let canceled = try await s.ok("cancel", "1", "--as", "ops", "--json").object()
    #expect(canceled["status"] as? String == "canceled")
    #expect(try await s.show(1).status == "canceled")
    #expect(try await s.status().proposals == ["canceled": 1])
    try await s.refused(["vote", "1", "approve", "--as", "bob", "--json"], code: 1, mentioning: "canceled")
    try await s.refused(["cancel", "1", "--as", "ops", "--json"], code: 1)
    try await s.refused(["execute", "1", "--as", "ops", "--json"], code: 1)
    #expect(try await s.members().contains { $0.name == "erin" })
}

@Test func everyRunReplaysTheSameLedgerFromDisk() async throws {
    let s = try await governed()
    try await s.vote(3, "reject", by: "alice")
    try await s.vote(3, "approve", by: "alice", "bob")
    let first = try await s.status()
    let second = try await s.status()
    #expect(first == second)
    #expect(first.height > 0)
    // The head is the hash of the last block, and every block is there.
    let blocks = try await s.ok("blocks", "--json").decode([BlockJSON].self)
    #expect(blocks.map(\.height) == Array(0...first.height))
    #expect(blocks.last?.hash == first.head)
    // Queries read the same state each time.
    #expect(try await s.ok("events", "--json").stdout == s.ok("events", "--json").stdout)
    #expect(try await s.ok("show", "3", "--json").stdout == s.ok("show", "3", "--json").stdout)
    #expect(try await s.show(3).tally == TallyJSON(approve: 2, reject: 0, abstain: 0))
}

struct BlockJSON: Decodable { let height: UInt64; let hash: String }
