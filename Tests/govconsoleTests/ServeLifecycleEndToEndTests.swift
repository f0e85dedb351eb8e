import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `serve` under its service group: each stop signal shuts it down gracefully — the connection a
/// follower holds is closed rather than waited on, the socket removed, the ledger closed whole — and
/// it exits 0. Every wait is for something to happen (a line printed, the process gone), never a delay.
@Suite(.serialized) struct ServeLifecycleEndToEndTests {
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aStopSignalLeavesNoSocketAndALedgerVerifyAccepts(signal: Int32) async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let service = try await ServiceProcess(sandbox)
        let socket = sandbox.data + "/govconsole.sock"
        try await sandbox.ok("propose", "add-member", "frank", "--as", "ops")
        let follower = try Background(sandbox, ["events", "--follow", "--json", "--from", "1"])
        #expect(await follower.waitForLines(containing: "\"ProposalSubmitted\"", count: 1), "the follower never attached: \(follower.stderr)")

        #expect(await service.stop(signal) == 0, "serve after signal \(signal): \(service.text)")
        #expect(!FileManager.default.fileExists(atPath: socket), "signal \(signal) left the socket behind")
        let log = service.text.split(separator: "\n").map(String.init)
        #expect(log.last == "service stopped; the ledger is closed", "\(log)")
        // The log stays one plain line per event: the time and what happened, no level or metadata.
        let connected = #/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC events \(pid \d+\) connected$/#
        #expect(log.contains { $0.wholeMatch(of: connected) != nil }, "\(log)")

        let report = try await sandbox.ok("verify", "--json").object()
        #expect(report["ok"] as? Bool == true && report["height"] as? Int == 1, "\(report)")
        #expect(report["unfinished"] == nil, "a graceful stop leaves no partial record: \(report)")
        #expect(try await sandbox.show(1).proposer == "ops")
    }
}
