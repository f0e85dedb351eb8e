import DurableStorage
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A writer checks every key file and the directories holding keys and ledger when it opens, and
/// refuses before it writes anything: the ledger keeps the same bytes, even a torn tail it would cut.
@Suite struct OpenRefusalTests {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-open-\(UUID().uuidString)")

    /// A demo consortium with one proposal, closed, whose ledger ends in a torn record.
    func demo() async throws -> Data {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        await client.close()
        let path = dir.ledger + "/blocks.log"
        let torn = try Data(contentsOf: URL(fileURLWithPath: path)) + Data("GCB1".utf8)
        try torn.write(to: URL(fileURLWithPath: path))
        return torn
    }

    func expectRefused(_ expected: LedgerError, fix: String, ledger: Data, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let engine = try await GovernanceEngine.open(at: dir)
            await engine.close()
            Issue.record("opened despite \(expected)", sourceLocation: sourceLocation)
        } catch {
            #expect(error as? LedgerError == expected, sourceLocation: sourceLocation)
            #expect("\(error)".hasSuffix(fix), "\(error)", sourceLocation: sourceLocation)
        }
        #expect((try? Data(contentsOf: URL(fileURLWithPath: dir.ledger + "/blocks.log"))) == ledger, sourceLocation: sourceLocation)
        let torn = (try? FileManager.default.contentsOfDirectory(atPath: dir.ledger))?.filter { $0.hasPrefix("torn-tail") } ?? []
        #expect(torn.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func eachLooseKeyOrDirectoryIsRefusedAtOpenWithItsFix() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        let ledger = try await demo()
        let cases: [(path: String, mode: mode_t, error: LedgerError, fix: String)] = [
            (dir.keys + "/node-1.key", 0o644, .looseKey(path: dir.keys + "/node-1.key", mode: 0o644), "run 'chmod 600 \(dir.keys)/node-1.key'"),
            (dir.keys + "/alice.key", 0o644, .looseKey(path: dir.keys + "/alice.key", mode: 0o644), "run 'chmod 600 \(dir.keys)/alice.key'"),
            (dir.keys, 0o777, .looseDirectory(path: dir.keys, mode: 0o777), "run 'chmod go-w \(dir.keys)'"),
            (dir.path, 0o777, .looseDirectory(path: dir.path, mode: 0o777), "run 'chmod go-w \(dir.path)'"),
        ]
        for c in cases {
            var st = stat()
            #expect(stat(c.path, &st) == 0)
            #expect(chmod(c.path, c.mode) == 0)
            await expectRefused(c.error, fix: c.fix, ledger: ledger)
            #expect(chmod(c.path, st.st_mode & 0o777) == 0)
        }

        // With every mode put back the writer opens, and only now cuts the torn tail.
        let engine = try await GovernanceEngine.open(at: dir)
        #expect(engine.warnings.contains { $0.contains("cut back to the last whole block (height 1)") })
        await engine.close()
    }
}

