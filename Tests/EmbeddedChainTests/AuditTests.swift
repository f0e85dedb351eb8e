@testable import ChainModel
@testable import ChainPrimitives
@testable import EmbeddedChain
import Foundation
@testable import Governance
import Synchronization
import Testing

@Suite struct AuditTests {
    func history() async throws -> TestChain {
        let t = try TestChain()
        try await t.enact(.newVoter("frank"))
        try await t.call("alice", "issue", ["10"])
        await t.chain.close()
        return t
    }

    @Test func aSoundLedgerPassesEveryCheck() async throws {
        let t = try await history()
        let report = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(report.ok, "\(report.problems)")
        #expect(report.height == 6)
        #expect(report.checked["blocks"] == 7 && report.checked["transactions"] == 6 && report.checked["signatures"] == 13)
        #expect(report.checked["invariants"] == 5)   // three votes, one permission use, one execution
    }

    @Test func damageIsReportedWithItsHeightAndNothingIsRepaired() async throws {
        let t = try await history()
        let path = t.dir + "/ledger/blocks.log"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        var bad = good
        bad[bad.count / 2] ^= 0x40
        try bad.write(to: URL(fileURLWithPath: path))
        let report = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!report.ok && report.problems.count == 1)
        #expect(report.problems[0].contains("corrupt at height"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bad)

        // Bytes after the last whole block that cannot be the start of a record are damage too.
        try (good + Data(repeating: 0, count: 30)).write(to: URL(fileURLWithPath: path))
        let garbage = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!garbage.ok && garbage.problems[0].contains("bad record marker"))
        // Shorter than a header, too: only a prefix of a real header passes as a record being written.
        for count in [1, 10, 19] {
            try (good + Data(repeating: 0, count: count)).write(to: URL(fileURLWithPath: path))
            let short = try LedgerAudit.run(directory: t.dir + "/ledger")
            #expect(!short.ok && short.problems.first?.contains("bad record marker") == true, "\(count) zero bytes: \(short.problems)")
        }
    }

    /// A writer appends a frame with one pwrite, so a reader can see any prefix of it: at every such
    /// prefix the audit is clean up to the block before and leaves the file as it was.
    @Test func aRecordStillBeingWrittenIsNotYetThere() async throws {
        let t = try await history()
        let ledger = t.dir + "/ledger"
        let path = ledger + "/blocks.log"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let last = try #require(try LedgerFile(path: path, readOnly: true).index().frames.last)
        let lock = try DirectoryLock(directory: ledger)   // as a running writer holds it
        defer { lock.release() }
        for cut in [last.offset + 1, last.offset + LedgerFile.frameHeader - 1, last.offset + LedgerFile.frameHeader,
                    last.offset + LedgerFile.frameHeader + last.length / 2, last.end - 1] {
            let partial = good.prefix(cut)
            try partial.write(to: URL(fileURLWithPath: path))
            let report = try LedgerAudit.run(directory: ledger)
            #expect(report.ok, "cut at \(cut): \(report.problems)")
            #expect(report.height == 5 && report.unfinished != nil)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == partial)
            #expect(!FileManager.default.fileExists(atPath: ledger + "/torn-tail-6.bin"))
        }
    }

    @Test func theGovernanceInvariantsCatchWhatReplayWouldNotSee() {
        func block(_ height: UInt64, _ events: [GovernanceEvent]) -> Block {
            let header = BlockHeader(height: height, previous: .zero, time: 0, proposer: "node-1", txRoot: .zero, resultsRoot: .zero)
            return Block(header: header, genesis: nil, transactions: [], receipts: [], blockEvents: events.map(ChainEvent.governance),
                         signature: [UInt8](repeating: 0, count: 64))
        }
        var inv = LedgerAudit.Invariants()
        #expect(inv.check(block(1, [.voteRequested(proposal: 1, voter: "alice", weight: 1, request: 1)])).isEmpty)
        #expect(inv.check(block(2, [.voteCast(proposal: 1, voter: "alice", choice: .approve, weight: 1, request: 1)])).isEmpty)
        #expect(inv.check(block(3, [.voteCast(proposal: 1, voter: "mallory", choice: .approve, weight: 9, request: 1)]))
            == ["height 3: mallory voted on proposal 1 from outside its snapshotted electorate"])
        #expect(inv.check(block(4, [.operationExecuted(proposal: 1, operation: .addMember, target: "x")]))
            == ["height 4: proposal 1 was executed without having passed"])
        #expect(inv.check(block(5, [.proposalPassed(proposal: 1), .permissionConsumed(proposal: 1, holder: "ops")])).isEmpty)
        #expect(inv.check(block(6, [.permissionConsumed(proposal: 1, holder: "ops")]))
            == ["height 6: the permission of proposal 1 was used twice"])
    }

    /// The audit takes no lock: it runs again and again while the chain appends blocks, clean each time.
    @Test func theAuditRunsBesideAWriterAndIsCleanEachTime() async throws {
        let t = try TestChain()
        let audits = Mutex(0)
        let writer = Task {
            var sent = 0
            // The writer keeps committing until the auditor has finished, so the two overlap.
            while audits.withLock({ $0 }) < 8 {
                try await t.call("alice", "issue", ["1"])
                sent += 1
            }
            return sent
        }
        var heights: [UInt64] = []
        for _ in 0..<8 {
            let report = try await Task.detached { try LedgerAudit.run(directory: t.dir + "/ledger") }.value
            #expect(report.ok, "\(report.problems)")
            heights.append(report.height)
            audits.withLock { $0 += 1 }
        }
        let sent = try await writer.value
        #expect(heights == heights.sorted(), "an audit saw fewer blocks than the one before: \(heights)")
        #expect(UInt64(sent) == (await t.chain.state.height))
        let final = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(final.ok && final.height == UInt64(sent))
        await t.chain.close()
    }
}
