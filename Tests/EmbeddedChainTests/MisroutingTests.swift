@testable import ChainModel
@testable import ChainPrimitives
@testable import DurableStorage
@testable import EmbeddedChain
import Foundation
@testable import Governance
import Testing

/// Claim 6 on chain: a transaction is sealed and replayed only from the node the node routing policy
/// picks for it in the state it is applied to.
@Suite struct MisroutingTests {
    /// Rewrites the ledger with block `height`'s first receipt naming `node` instead, re-signed by the
    /// block's proposer, so the frame, the Merkle roots and the signature all check out: only routing can tell.
    static func forge(_ t: TestChain, height: Int, node: (String) -> String) async throws -> (tx: Transaction, from: String, to: String) {
        let blocks = try await t.chain.blocks()
        await t.chain.close()
        let original = blocks[height]
        let r = original.receipts[0]
        let moved = Receipt(tx: r.tx, node: node(r.node), logic: r.logic, ok: r.ok, error: r.error, events: r.events, call: r.call)
        let h = original.header
        let header = BlockHeader(height: h.height, previous: h.previous, time: h.time, proposer: h.proposer, txRoot: h.txRoot,
                                 resultsRoot: Block.resultsRoot(receipts: [moved] + original.receipts.dropFirst(), blockEvents: original.blockEvents),
                                 stateRoot: h.stateRoot)
        let forged = Block(header: header, genesis: nil, transactions: original.transactions, receipts: [moved] + original.receipts.dropFirst(),
                           blockEvents: original.blockEvents, signature: t.keys[h.proposer]!.sign(header.hash.bytes))
        let path = t.dir + "/ledger/blocks.log"
        try FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(t.dir + "/ledger"))
        let file = try LedgerFile(path: path)
        for (i, b) in blocks.prefix(height + 1).enumerated() { _ = try file.append(i == height ? forged.encoded : b.encoded) }
        return (original.transactions[0], r.node, moved.node)
    }

    @Test func aBlockNamingAnotherNodeIsRefusedByReplayAndTheAudit() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        // node-1 and node-2 both run v1, so the receipt's logic still matches: the node alone is wrong.
        let (tx, routed, named) = try await Self.forge(t, height: 2) { $0 == "node-1" ? "node-2" : "node-1" }
        let reason = "transaction \(tx.id.short) does not replay: \(TransactionRejection.misrouted(node: named, expected: routed))"
        #expect(throws: LedgerError.corrupt(height: 2, reason: reason)) { try t.reopen() }
        let audit = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!audit.ok && audit.problems.first?.contains("corrupt at height 2") == true, "\(audit.problems)")
        #expect(audit.problems.first?.contains("the node routing policy sends it to \(routed)") == true, "\(audit.problems)")
    }

    /// Format 3 blocks were sealed before routing was checked, by a platform that could leave a
    /// transaction with the node the policy picked before a switch inside its batch: a ledger with such a
    /// block still opens and audits clean, and the blocks sealed after it are in the newest format, and checked.
    @Test func aLedgerSealedBeforeRoutingWasCheckedStillOpensAndIsCheckedFromThenOn() async throws {
        var t = try TestChain(format: 3)
        let tx = await t.tx("ops", .propose(.newVoter("frank")))
        let routed = await t.routed(tx)
        let other = TestChain.nodes.first { $0 != routed && $0 != "node-3" }!
        #expect(try await t.chain.submit(tx, via: other).node == other)
        await t.chain.close()
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(t.dir + "/ledger"))

        try t.reopen()
        #expect(await t.chain.state.height == 1)
        #expect(try LedgerAudit.run(directory: t.dir + "/ledger").ok)
        let next = await t.tx("ops", .propose(.newVoter("grace")))
        let nextRouted = await t.routed(next)
        let wrong = TestChain.nodes.first { $0 != nextRouted }!
        await #expect(throws: TransactionRejection.misrouted(node: wrong, expected: nextRouted)) { try await t.chain.submit(next, via: wrong) }
        try await t.submit(next)
        let blocks = try await t.chain.blocks()
        #expect(blocks.map(\.header.format) == [3, 3, BlockHeader.version])
        await t.chain.close()
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(t.dir + "/ledger"))
        try t.reopen()
        #expect(await t.chain.state.height == 2)
        #expect(try LedgerAudit.run(directory: t.dir + "/ledger").ok)
        await t.chain.close()
    }

    /// A node cannot label a new block format 3 to escape the routing check: a ledger never goes back a format.
    @Test func aBlockInTheOldFormatAfterANewOneIsRefused() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        let blocks = try await t.chain.blocks()
        await t.chain.close()
        let h = blocks[2].header
        let header = BlockHeader(height: h.height, previous: h.previous, time: h.time, proposer: h.proposer, txRoot: h.txRoot,
                                 resultsRoot: h.resultsRoot, stateRoot: h.stateRoot, format: 3)
        let old = Block(header: header, genesis: nil, transactions: blocks[2].transactions, receipts: blocks[2].receipts,
                        blockEvents: blocks[2].blockEvents, signature: t.keys[h.proposer]!.sign(header.hash.bytes))
        let path = t.dir + "/ledger/blocks.log"
        try FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(t.dir + "/ledger"))
        let file = try LedgerFile(path: path)
        for b in blocks.prefix(2) { _ = try file.append(b.encoded) }
        _ = try file.append(old.encoded)
        let reason = "block format 3 after format \(BlockHeader.version); a ledger never goes back a format"
        #expect(throws: LedgerError.corrupt(height: 2, reason: reason)) { try t.reopen() }
        let audit = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!audit.ok && audit.problems.first?.contains(reason) == true, "\(audit.problems)")
    }

    @Test func theProducerRefusesANodeThePolicyDoesNotPick() async throws {
        let t = try TestChain()
        let tx = await t.tx("ops", .propose(.newVoter("frank")))
        let routed = await t.routed(tx)
        let other = TestChain.nodes.first { $0 != routed }!
        await #expect(throws: TransactionRejection.misrouted(node: other, expected: routed)) { try await t.chain.submit(tx, via: other) }
        #expect(await t.chain.state.height == 0)
        #expect(try await t.chain.submit(tx, via: routed).ok)
    }
}
