import DurableStorage
import EmbeddedChain
import Foundation
@testable import govconsole
import Testing

/// A data directory `join` writes appears whole or not at all: a failure after some of its files are
/// written removes them, the staging directory, and the parents made for it.
struct StagedDirectoryTests {
    struct DiskGaveOut: Error {}

    @Test func aFailureAfterTheLedgerIsWrittenLeavesNothing() async throws {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        let target = s.root.appendingPathComponent("made/for/org").path
        var written: [String] = []

        #expect(throws: JoinError.self) {
            try StagedDirectory.create(target) { staging in
                try GenesisCopy.read(ledger: s.data + "/ledger").write(ledger: staging + "/ledger")
                written = try FileManager.default.contentsOfDirectory(atPath: staging)
                throw DiskGaveOut()
            }
        }
        #expect(written == ["ledger"], "the failure came after the ledger was written")
        #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("made").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.root.path).allSatisfy { !$0.contains(".join-") })
    }

    @Test func theFinishedDirectoryIsOwnerOnly() throws {
        let s = try Sandbox()
        let target = s.root.appendingPathComponent("org").path
        try StagedDirectory.create(target) { staging in
            try Data().write(to: URL(fileURLWithPath: staging + "/marker"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["marker"])
        #expect(JoinEndToEndTests.mode(target) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.root.path) == ["org"])
    }
}
