import Foundation
import Testing

/// `serve`'s cluster flags are checked before anything starts: each mistake gets one line saying what
/// was wrong and what to write instead, exit status 64, and no ledger is made.
@Suite struct ServeClusterFlagsTests {
    @Test(arguments: [
        (["--peer", "127.0.0.1:7443"], "--peer needs --node NAME and --etcd"),
        (["--retain-entries", "5"], "--retain-entries needs --node NAME and --etcd"),
        (["--node", "node-1", "--etcd", "http://127.0.0.1:1", "--peer", "0.0.0.0:7443"], "not '0.0.0.0'"),
        (["--node", "node-1", "--etcd", "http://127.0.0.1:1", "--peer", "somewhere"], "--peer 'somewhere' is not HOST:PORT"),
        (["--node", "node-1", "--etcd", "http://127.0.0.1:1", "--peer", "host:99999"], "is not HOST:PORT"),
        (["--node", "node-1", "--etcd", "http://127.0.0.1:1", "--retain-entries", "0"], "--retain-entries 0 keeps nothing"),
    ])
    func aClusterFlagMistakeIsRefusedBeforeAnythingStarts(args: [String], says: String) async throws {
        let s = try Sandbox()
        let r = try await s.run(["serve"] + args)
        #expect(r.status == 64, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(says), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.ledgerFile), "no ledger made")
    }
}
