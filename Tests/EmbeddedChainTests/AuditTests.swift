@testable import EmbeddedChain
import Foundation
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

        // A torn tail is reported but left for opening the chain to cut.
        let torn = good.prefix(good.count - 3)
        try torn.write(to: URL(fileURLWithPath: path))
        let tail = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!tail.ok && tail.problems[0].contains("cut short") && tail.height == 5)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == torn)
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

    @Test func anotherProcessHoldingTheLedgerIsRefused() async throws {
        let t = try TestChain()
        #expect(throws: LedgerError.self) { _ = try LedgerAudit.run(directory: t.dir + "/ledger") }
        await t.chain.close()
    }
}
