@testable import ChainModel
@testable import ChainPrimitives
@testable import ContractRuntime
@testable import DurableStorage
@testable import EmbeddedChain
@testable import Governance
@testable import Rollout
import Testing

@Suite struct StateRootTests {
    /// A chain past its first checkpoint, with members, proposals, votes, permissions, an upgrade's
    /// routing and statistics, and contract storage in its state.
    func busyChain() async throws -> TestChain {
        let t = try TestChain()
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0))
        try await t.enact(.newVoter("frank"))
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        try await t.vote("alice", 3, .reject)
        try await t.call("alice", "issue", ["1000"])
        while await t.chain.state.height < BlockHeader.stateRootInterval + 2 {
            try await t.call("alice", "transfer", ["bob", "1"], lane: .prerelease)
        }
        return t
    }

    @Test func theStateEncodingRoundTripsExactly() async throws {
        let t = try await busyChain()
        let state = await t.chain.state
        let bytes = state.encoded
        let decoded = try ChainState.decode(bytes)
        #expect(decoded.encoded == bytes)
        #expect(decoded.root == state.root)
        #expect(decoded.management.proposals == state.management.proposals)
        #expect(decoded.contractStorage == state.contractStorage)
        #expect(decoded.management.contracts == state.management.contracts)
        // The derived indexes come back too: the decoded state refuses and accepts what the original does.
        #expect(decoded.management.open == state.management.open && decoded.management.keyOwners == state.management.keyOwners)
        await t.chain.close()
    }

    @Test func checkpointBlocksCommitToTheStateAndReplayChecksIt() async throws {
        let t = try await busyChain()
        let blocks = try await t.chain.blocks()
        let interval = Int(BlockHeader.stateRootInterval)
        #expect(blocks[interval].header.stateRoot != .zero)
        #expect(blocks.enumerated().allSatisfy { i, b in BlockHeader.isCheckpoint(UInt64(i)) || b.header.stateRoot == .zero })
        await t.chain.close()

        // Replaying to just before the checkpoint reproduces the root the checkpoint recorded.
        var state = try Chain.verifyGenesis(blocks[0])
        let runtime = ContractRuntime()
        for b in blocks[1..<interval] { try Chain.replay(b, onto: &state, runtime: runtime) }
        #expect(state.root == blocks[interval].header.stateRoot)

        // A checkpoint signed by its proposer but carrying another root is refused at that height.
        let real = blocks[interval]
        let h = real.header
        let forged = BlockHeader(height: h.height, previous: h.previous, time: h.time, proposer: h.proposer, txRoot: h.txRoot,
                                 resultsRoot: h.resultsRoot, stateRoot: Hash256.of([1, 2, 3]))
        let block = Block(header: forged, genesis: nil, transactions: real.transactions, receipts: real.receipts,
                          blockEvents: real.blockEvents, signature: t.keys[h.proposer]!.sign(forged.hash.bytes))
        #expect(throws: LedgerError.corrupt(height: h.height, reason: "the state root \(Hash256.of([1, 2, 3]).short) differs from the replayed state's \(state.root.short)")) {
            try Chain.replay(block, onto: &state, runtime: runtime)
        }

        // The audit compares every checkpoint and reports the head's root, which reopening reproduces.
        let report = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(report.ok && report.checked["state roots"] == 1, "\(report)")
        let reopened = try Chain.open(at: t.dir + "/ledger", keystore: t.keystore)
        #expect(await reopened.state.root == report.stateRoot)
        await reopened.close()
    }

    @Test func stateDecodingRefusesWhatItDidNotWrite() async throws {
        let t = try TestChain()
        let bytes = await t.chain.state.encoded
        await t.chain.close()
        #expect(throws: DecodingFailure.self) { try ChainState.decode(bytes + [0]) }
        #expect(throws: DecodingFailure.self) { try ChainState.decode(Array(bytes.dropLast())) }
        var wrongVersion = bytes
        wrongVersion[0] = 99
        #expect(throws: DecodingFailure.self) { try ChainState.decode(wrongVersion) }
    }
}
