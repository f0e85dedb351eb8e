import ChainModel
import ChainPrimitives
import DurableStorage
@testable import EmbeddedChain
import Foundation
import Testing

/// A ledger whose last block says another node admitted its transaction, re-signed with the proposer's
/// key so that frames, roots and signatures all check out: `verify` and every opening refuse it.
@Test func verifyAndOpeningRefuseATransactionFromANodeThePolicyDidNotPick() async throws {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    try await s.ok("propose", "add-member", "frank", "--as", "ops")

    let file = try LedgerFile(path: s.ledgerFile)
    let frames = try file.index().frames
    let last = try file.block(frames[1], height: 1)
    let r = last.receipts[0]
    // node-1 to node-4 run v1: another v1 node keeps the receipt's logic right, so only routing can tell.
    let other = r.node == "node-1" ? "node-2" : "node-1"
    let moved = Receipt(tx: r.tx, node: other, logic: r.logic, ok: r.ok, error: r.error, events: r.events, call: r.call)
    let h = last.header
    let header = BlockHeader(height: h.height, previous: h.previous, time: h.time, proposer: h.proposer, txRoot: h.txRoot,
                             resultsRoot: Block.resultsRoot(receipts: [moved], blockEvents: last.blockEvents), stateRoot: h.stateRoot)
    let key = try Keystore(directory: s.data + "/keys").load(h.proposer)
    let forged = Block(header: header, genesis: nil, transactions: last.transactions, receipts: [moved],
                       blockEvents: last.blockEvents, signature: key.sign(header.hash.bytes))
    try file.moveTail(from: frames[1].offset, to: s.root.appendingPathComponent("cut.bin").path)
    _ = try file.append(forged.encoded)
    try? FileManager.default.removeItem(atPath: s.data + "/ledger/state.snapshot")

    let verify = try await s.run(["verify", "--json"])
    #expect(verify.status == 1)
    let problems = try verify.object()["problems"] as? [String]
    #expect(problems?.first?.contains("corrupt at height 1") == true, "\(problems ?? [])")
    #expect(problems?.first?.contains("admitted by \(other), but the node routing policy sends it to \(r.node)") == true, "\(problems ?? [])")
    let status = try await s.run(["status"])
    #expect(status.status == 1 && status.stderr.contains("the node routing policy sends it to \(r.node)"), "\(status.stderr)")
}
