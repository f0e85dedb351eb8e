import Foundation
import Testing

// End-to-end tests of canary upgrades (issue 3) through the built `govconsole` executable: contract versions
// served by lane, stage order, deploys, fuel, weighted production splits, and the health gates for contracts
// and node logic. Each test runs in its own sandbox, so they may run in parallel.

// MARK: - Helpers

/// A sandbox with the demo consortium; `extra` goes to `init`.
private func demo(_ extra: String...) async throws -> Sandbox {
    let s = try Sandbox()
    let r = try await s.run(["init", "--demo"] + extra)
    try #require(r.status == 0, "init failed: \(r.stderr)")
    return s
}

/// Runs a command that must succeed and returns its JSON object (`--json` is appended).
private func json(_ s: Sandbox, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
    let r = try await s.run(args + ["--json"])
    try #require(r.status == 0, "govconsole \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.isEmpty, "unexpected stderr: \(r.stderr)", sourceLocation: sourceLocation)
    return try r.object(sourceLocation: sourceLocation)
}

/// Proposal `id` gets approvals from alice, bob and carol (3 of 5: passed) and ops executes it.
private func pass(_ s: Sandbox, _ id: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await s.vote(id, "approve", by: "alice", "bob", "carol", sourceLocation: sourceLocation)
    let executed = try await json(s, ["execute", "\(id)", "--as", "ops"], sourceLocation: sourceLocation)
    #expect(executed["status"] as? String == "executed", sourceLocation: sourceLocation)
}

/// ops proposes `propose ARGS…`; the new proposal's id.
private func propose(_ s: Sandbox, _ args: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
    let r = try await json(s, ["propose"] + args + ["--as", "ops"], sourceLocation: sourceLocation)
    return try #require(r["id"] as? Int, sourceLocation: sourceLocation)
}

/// Proposes `propose ARGS…` and passes and executes it.
private func enact(_ s: Sandbox, _ args: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let r = try await json(s, ["propose"] + args + ["--as", "ops"], sourceLocation: sourceLocation)
    try await pass(s, try #require(r["id"] as? Int, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
}

/// `call CONTRACT FUNCTION ARGS… --lane LANE --as NAME --json`, which must succeed.
private func call(_ s: Sandbox, _ contract: String, _ function: String, _ args: String..., lane: String = "production",
                  as who: String = "alice", sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
    let r = try await json(s, ["call", contract, function] + args + ["--lane", lane, "--as", who], sourceLocation: sourceLocation)
    #expect(r["ok"] as? Bool == true, sourceLocation: sourceLocation)
    #expect(r["contract"] as? String == contract && r["function"] as? String == function, sourceLocation: sourceLocation)
    return r
}

/// The `asset-ledger` balance of `name`, read on the production lane.
private func balance(_ s: Sandbox, _ name: String) async throws -> String? {
    try await call(s, "asset-ledger", "balance", name)["result"] as? String
}

/// One contract's entry in `routing --json`.
private func routed(_ s: Sandbox, _ name: String = "asset-ledger") async throws -> [String: Any] {
    let contracts = try #require(try await json(s, ["routing"])["contracts"] as? [[String: Any]])
    return try #require(contracts.first { $0["name"] as? String == name }, "no contract \(name) in routing")
}

private func lanes(_ entry: [String: Any]) -> [String: Int] { entry["lanes"] as? [String: Int] ?? [:] }
private let allOld = ["prerelease": 0, "gray": 0, "production": 0]

/// `traffic ARGS… --json`, with the summary's lane entry per lane name.
private func traffic(_ s: Sandbox, _ args: String...) async throws -> (summary: [String: Any], lanes: [String: [String: Any]]) {
    let summary = try await json(s, ["traffic"] + args)
    let list = summary["lanes"] as? [[String: Any]] ?? []
    return (summary, Dictionary(uniqueKeysWithValues: list.map { ($0["lane"] as? String ?? "?", $0) }))
}

/// The calls each version served in a traffic lane entry.
private func versionCalls(_ lane: [String: Any]?) -> [String: Int] {
    let versions = lane?["versions"] as? [[String: Any]] ?? []
    return Dictionary(uniqueKeysWithValues: versions.map { ($0["version"] as? String ?? "?", $0["calls"] as? Int ?? 0) })
}

/// Recorded events of `type`.
private func events(_ s: Sandbox, _ type: String) async throws -> [[String: Any]] {
    let r = try await s.ok("events", "--json")
    let all = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    return all.filter { $0["type"] as? String == type }
}

/// Writes `text` to a file in the sandbox; its path.
private func file(_ s: Sandbox, _ name: String, _ text: String) throws -> String {
    let url = s.root.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

// MARK: - Tests

@Test func bothAssetLedgerVersionsServeTheirLanes() async throws {
    let s = try await demo()
    let issued = try await call(s, "asset-ledger", "issue", "100")
    #expect(issued["version"] as? String == "v1")
    #expect(issued["tx"] as? String != nil && issued["node"] as? String != nil && issued["fuel"] as? Int != nil)
    #expect(try await call(s, "asset-ledger", "transfer", "bob", "30")["version"] as? String == "v1")
    #expect(try await call(s, "asset-ledger", "balance")["result"] as? String == "70", "balance without a name is the caller's")
    #expect(try await balance(s, "bob") == "30")
    #expect(try await call(s, "asset-ledger", "supply")["result"] as? String == "100")
    try await s.refused(["call", "asset-ledger", "transfer", "bob", "71", "--as", "alice"], code: 1, mentioning: "insufficient balance")
    try await s.refused(["call", "asset-ledger", "fees", "--as", "alice"], code: 1, mentioning: "fees")
    #expect(try await call(s, "asset-ledger", "transfer", "bob", "1", lane: "prerelease")["version"] as? String == "v1",
            "before an upgrade every lane runs v1")

    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "prerelease")
    let v2 = try await call(s, "asset-ledger", "transfer", "bob", "10", lane: "prerelease")
    #expect(v2["version"] as? String == "v2")
    #expect(try await balance(s, "alice") == "58", "69 - 10 - a fee of 1; storage is shared with v1")
    #expect(try await balance(s, "bob") == "41")
    let fees = try await call(s, "asset-ledger", "fees", lane: "prerelease")
    #expect(fees["version"] as? String == "v2")
    #expect(fees["result"] as? String == "1")
    #expect(try await call(s, "asset-ledger", "supply", lane: "prerelease")["result"] as? String == "100")

    // Production still runs v1: no fee, and no `fees`.
    #expect(try await call(s, "asset-ledger", "transfer", "bob", "8")["version"] as? String == "v1")
    #expect(try await balance(s, "alice") == "50")
    #expect(try await call(s, "asset-ledger", "fees", lane: "prerelease")["result"] as? String == "1")
    try await s.refused(["call", "asset-ledger", "fees", "--lane", "production", "--as", "alice"], code: 1, mentioning: "fees")
    // Moving the whole balance is fine on v1 but short by the fee on v2.
    try await s.refused(["call", "asset-ledger", "transfer", "bob", "50", "--lane", "prerelease", "--as", "alice"],
                  code: 1, mentioning: "insufficient balance")
    #expect(try await call(s, "asset-ledger", "transfer", "bob", "50")["version"] as? String == "v1")
    #expect(try await balance(s, "alice") == "0")
}

@Test func contractStagesMustComeInOrder() async throws {
    let s = try await demo()
    let upgrade = ["upgrade-contract", "asset-ledger", "--to", "v2", "--stage"]
    let rollbackNothing = ["propose", "rollback-contract", "asset-ledger", "--as", "ops"]
    try await s.refused(rollbackNothing, code: 1, mentioning: "no rollout of asset-ledger to roll back")
    try await s.refused(["propose"] + upgrade + ["gray", "--as", "ops"], code: 1, mentioning: "stage out of order")
    try await s.refused(["propose"] + upgrade + ["production", "--as", "ops"], code: 1, mentioning: "stage out of order")

    try await pass(s, try propose(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "prerelease"))
    #expect(await lanes(try routed(s)) == ["prerelease": 100, "gray": 0, "production": 0])
    try await s.refused(["propose"] + upgrade + ["production", "--as", "ops"], code: 1, mentioning: "stage out of order")
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "gray")
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "production", "--percent", "50")
    let half = try await routed(s)
    #expect(half["stage"] as? String == "production")
    #expect(lanes(half) == ["prerelease": 100, "gray": 100, "production": 50])
    try await s.refused(["propose"] + upgrade + ["production", "--percent", "30", "--as", "ops"], code: 1, mentioning: "only raise")
    try await s.refused(["propose"] + upgrade + ["gray", "--as", "ops"], code: 1, mentioning: "stage out of order")
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "production", "--percent", "100")
    #expect(await lanes(try routed(s)) == ["prerelease": 100, "gray": 100, "production": 100])

    try await enact(s, "rollback-contract", "asset-ledger")
    let back = try await routed(s)
    #expect(back["stage"] as? String == "none")
    #expect(back["old"] as? String == "v1")
    #expect(lanes(back) == allOld)
    #expect(try await call(s, "asset-ledger", "issue", "5", lane: "prerelease")["version"] as? String == "v1")
    let rollbacks = try await events(s, "RollbackTriggered")
    #expect(rollbacks.count == 1 && rollbacks.first?["automatic"] as? String == "no")
    try await s.refused(rollbackNothing, code: 1, mentioning: "no rollout of asset-ledger to roll back")

    // Order is checked again at execution: a gray proposal made during pre-release cannot run after a rollback.
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "prerelease")
    let gray = try await propose(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "gray")
    let rollback = try await propose(s, "rollback-contract", "asset-ledger")
    try await s.vote(gray, "approve", by: "alice", "bob", "carol")
    try await pass(s, rollback)
    try await s.refused(["execute", "\(gray)", "--as", "ops"], code: 1, mentioning: "stage out of order")
    #expect(await lanes(try routed(s)) == allOld)
}

@Test func deployAddsAVersionAndInvalidCodeIsRefusedAtProposal() async throws {
    let s = try await demo()
    let tiny = try file(s, "tiny.wat", #"(module (func (export "answer") (result i64) (i64.const 42)))"#)
    let unknown = try file(s, "unknown.wat", #"(module (func (export "answer") (result i64) (i64.bogus 42)))"#)
    let mistyped = try file(s, "mistyped.wat", #"(module (func (export "answer") (result i64) (i32.const 42)))"#)
    let deploy = ["propose", "deploy-contract", "asset-ledger", "--version", "v3", "--as", "ops", "--file"]
    try await s.refused(deploy + [unknown], code: 1, mentioning: "i64.bogus")
    try await s.refused(deploy + [mistyped], code: 1, mentioning: "Expected i64")
    // An unreadable file is a usage error (EX_USAGE).
    try await s.refused(deploy + [s.root.appendingPathComponent("missing.wat").path], code: 64, mentioning: "cannot read --file")
    #expect(try await s.status().proposals.isEmpty, "no proposal was recorded")

    try await enact(s, "deploy-contract", "asset-ledger", "--version", "v3", "--file", tiny)
    let entry = try await routed(s)
    #expect(entry["versions"] as? [String] == ["v1", "v2", "v3"])
    #expect(lanes(entry) == allOld, "a deploy routes nothing to the new version")
    try await s.refused(deploy + [tiny], code: 1, mentioning: "already has a version v3")

    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v3", "--stage", "prerelease")
    let answer = try await call(s, "asset-ledger", "answer", lane: "prerelease")
    #expect(answer["version"] as? String == "v3")
    #expect(answer["result"] as? String == "42")
}

@Test func anInfiniteLoopRunsOutOfFuelAndTheChainGoesOn() async throws {
    let s = try await demo()
    let v1 = try file(s, "spinner-v1.wat", #"(module (func (export "spin") (result i64) (i64.const 7)))"#)
    let v2 = try file(s, "spinner-v2.wat", #"(module (func (export "spin") (result i64) (loop $l (br $l)) (i64.const 7)))"#)
    try await enact(s, "deploy-contract", "spinner", "--version", "v1", "--file", v1)
    try await enact(s, "deploy-contract", "spinner", "--version", "v2", "--file", v2)
    try await enact(s, "upgrade-contract", "spinner", "--to", "v2", "--stage", "prerelease")

    try await s.refused(["call", "spinner", "spin", "--lane", "prerelease", "--as", "alice"], code: 1, mentioning: "fuel")
    let height = try await s.status().height
    let served = try await call(s, "spinner", "spin", lane: "production")
    #expect(served["version"] as? String == "v1")
    #expect(served["result"] as? String == "7")
    #expect(try await call(s, "asset-ledger", "issue", "1", lane: "prerelease")["version"] as? String == "v1")
    #expect(try await s.status().height == height + 2)
}

@Test func theHealthGateRollsBackAFaultyContractVersion() async throws {
    let s = try await demo("--gate-min-calls", "20")
    let faulty = try file(s, "faulty.wat", """
        (module
          (import "env" "abort" (func $abort (param i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "v3 is broken")
          (func (export "transfer") (call $abort (i32.const 0) (i32.const 12)))
          (func (export "balance") (result i64) (i64.const 0)))
        """)
    try await enact(s, "deploy-contract", "asset-ledger", "--version", "v3", "--file", faulty)
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v3", "--stage", "prerelease")
    #expect(try await routed(s)["stage"] as? String == "prerelease")

    let (summary, byLane) = try await traffic(s, "--rate", "200", "--calls", "200", "--mix", "prerelease:100")
    let rollbacks = summary["rollbacks"] as? [String] ?? []
    #expect(rollbacks.count == 1 && rollbacks.first?.hasPrefix("asset-ledger: v3") == true, "\(rollbacks)")
    #expect(versionCalls(byLane["prerelease"])["v3"] ?? 0 >= 20, "the gate judged v3 after at least 20 calls")
    #expect(summary["failed"] as? Int ?? 0 > 0)

    let entry = try await routed(s)
    #expect(entry["stage"] as? String == "none")
    #expect(lanes(entry) == allOld)
    let v3 = (entry["stats"] as? [String: [String: Any]])?["v3"]
    #expect(v3?["failureRate"] as? Double ?? 0 > 0.5)
    let automatic = try await events(s, "RollbackTriggered")
    #expect(automatic.count == 1)
    #expect(automatic.first?["automatic"] as? String == "yes")
    #expect(automatic.first?["target"] as? String == "asset-ledger")
    #expect((automatic.first?["reason"] as? String)?.contains("v3") == true)
    // Calls go back to v1, and there is nothing left to roll back by hand.
    #expect(try await call(s, "asset-ledger", "issue", "3", lane: "prerelease")["version"] as? String == "v1")
    try await s.refused(["propose", "rollback-contract", "asset-ledger", "--as", "ops"], code: 1, mentioning: "no rollout")
}

@Test func nodeLogicIsRoutedByLaneAndItsHealthGateRollsBack() async throws {
    let s = try await demo()
    for node in ["node-5", "node-6"] {
        try await s.ok("node", "set-logic", node, "v2", "--fault-rate", "0.5")
    }
    let changed = try await events(s, "NodeLogicChanged")
    #expect(changed.compactMap { $0["node"] as? String } == ["node-5", "node-6"])
    #expect(changed.allSatisfy { $0["logic"] as? String == "v2" && $0["faultRate"] as? String == "0.5" })
    try await s.refused(["propose", "upgrade-nodes", "--to", "v2", "--stage", "gray", "--as", "ops"], code: 1,
                  mentioning: "stage out of order")
    try await s.refused(["propose", "rollback-nodes", "--as", "ops"], code: 1, mentioning: "no rollout")

    try await enact(s, "upgrade-nodes", "--to", "v2", "--stage", "prerelease")
    let nodes = try #require(try await json(s, ["routing"])["nodes"] as? [String: Any])
    #expect(nodes["stage"] as? String == "prerelease")
    #expect(lanes(nodes) == ["prerelease": 100, "gray": 0, "production": 0])
    // Every prerelease call reaches a v2 node: served by one, or refused by its injected fault.
    for amount in 1...4 {
        let r = try await s.run(["call", "asset-ledger", "issue", "\(amount)", "--lane", "prerelease", "--as", "alice", "--json"])
        if r.status == 0 {
            let served = try r.object()
            #expect(served["logic"] as? String == "v2")
            #expect(["node-5", "node-6"].contains(served["node"] as? String ?? ""))
        } else {
            Sandbox.expectRefusal(r, code: 1, mentioning: "(logic v2) failed to process the call: injected fault")
        }
    }
    #expect(try await call(s, "asset-ledger", "issue", "1")["logic"] as? String == "v1", "production stays on v1 nodes")

    let (summary, _) = try await traffic(s, "--mix", "prerelease:50,production:50", "--rate", "300", "--calls", "400")
    let logic = Dictionary(uniqueKeysWithValues: (summary["logic"] as? [[String: Any]] ?? []).map {
        ($0["logic"] as? String ?? "?", $0)
    })
    #expect(logic["v2"]?["calls"] as? Int ?? 0 > 0)
    #expect(logic["v2"]?["failed"] as? Int ?? 0 > 0)
    #expect(logic["v1"]?["failed"] as? Int == 0)
    let rollbacks = summary["rollbacks"] as? [String] ?? []
    #expect(rollbacks.count == 1 && rollbacks.first?.hasPrefix("nodes: v2") == true, "\(rollbacks)")

    let after = try #require(try await json(s, ["routing"])["nodes"] as? [String: Any])
    #expect(after["stage"] as? String == "none")
    #expect(lanes(after) == allOld)
    let automatic = try await events(s, "RollbackTriggered")
    #expect(automatic.count == 1)
    #expect(automatic.first?["target"] as? String == "nodes" && automatic.first?["automatic"] as? String == "yes")
    #expect(try await call(s, "asset-ledger", "issue", "2", lane: "prerelease")["logic"] as? String == "v1")
}

@Test func aWeightedProductionStageSplitsCallsBetweenVersions() async throws {
    let s = try await demo()
    for stage in ["prerelease", "gray"] {
        try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", stage)
    }
    try await enact(s, "upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "production", "--percent", "50")

    let (summary, byLane) = try await traffic(s, "--mix", "production:100", "--rate", "400", "--calls", "600")
    #expect((summary["rollbacks"] as? [String])?.isEmpty == true)
    #expect(versionCalls(byLane["prerelease"]).isEmpty && versionCalls(byLane["gray"]).isEmpty)
    let served = versionCalls(byLane["production"])
    let v1 = served["v1"] ?? 0, v2 = served["v2"] ?? 0
    #expect(Set(served.keys) == ["v1", "v2"])
    #expect(v1 + v2 == 600 && summary["refused"] as? Int == 0, "every call was served: \(served)")
    let share = Double(v2) / Double(v1 + v2)
    #expect(share >= 0.35 && share <= 0.65, "v2 served \(v2) of \(v1 + v2) production calls")
}
