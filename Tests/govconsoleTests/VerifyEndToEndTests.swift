import Foundation
import Testing

@Test func verifyAuditsTheLedgerAndFailsOnDamage() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")
    for v in ["alice", "bob", "carol"] { try await s.ok("vote", "1", "approve", "--as", v) }
    try await s.ok("execute", "1", "--as", "ops")

    let report = try await s.ok("verify", "--json").object()
    #expect(report["ok"] as? Bool == true)
    #expect(report["height"] as? Int == 5)
    #expect((report["problems"] as? [Any])?.isEmpty == true)
    #expect((report["checked"] as? [String: Int])?["signatures"] == 11)

    // Damage in the middle: verify names the height and exits non-zero; other commands point at verify.
    let url = URL(fileURLWithPath: s.ledgerFile)
    var bytes = try Data(contentsOf: url)
    bytes[bytes.count / 2] ^= 0x40
    try bytes.write(to: url)
    let r = try await s.run(["verify", "--json"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("error: the audit found 1 problem"))
    let failed = try r.object()
    #expect(failed["ok"] as? Bool == false)
    #expect((failed["problems"] as? [String])?.first?.contains("corrupt at height") == true)
    let status = try await s.run(["status"])
    #expect(status.status == 1 && status.stderr.contains("run 'govconsole verify'"))
}
