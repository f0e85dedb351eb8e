import Foundation
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

        // The checkpoint carries the root of the state `checkpointLag` blocks before it, which a replay
        // reproduces; the blocks in between leave it unchanged.
        let fed = interval - Int(BlockHeader.checkpointLag)
        var state = try Chain.verifyGenesis(blocks[0])
        var due: CheckpointRoot?
        let runtime = ContractRuntime()
        for b in blocks[1...fed] { try Chain.replay(b, onto: &state, due: &due, runtime: runtime) }
        #expect(state.root == blocks[interval].header.stateRoot)
        #expect(due == CheckpointRoot(checkpoint: UInt64(interval), root: state.root))
        let fedRoot = state.root
        for b in blocks[fed + 1..<interval] { try Chain.replay(b, onto: &state, due: &due, runtime: runtime) }
        #expect(state.root != blocks[interval].header.stateRoot, "the state moved on after the block that fed the checkpoint")

        // A checkpoint signed by its proposer but carrying another root is refused at that height.
        let real = blocks[interval]
        let h = real.header
        let forged = BlockHeader(height: h.height, previous: h.previous, time: h.time, proposer: h.proposer, txRoot: h.txRoot,
                                 resultsRoot: h.resultsRoot, stateRoot: Hash256.of([1, 2, 3]))
        let block = Block(header: forged, genesis: nil, transactions: real.transactions, receipts: real.receipts,
                          blockEvents: real.blockEvents, signature: t.keys[h.proposer]!.sign(forged.hash.bytes))
        #expect(throws: LedgerError.corrupt(height: h.height, reason: "the state root \(Hash256.of([1, 2, 3]).short) differs from the replayed state's \(fedRoot.short)")) {
            try Chain.replay(block, onto: &state, due: &due, runtime: runtime)
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

/// Format 5 checkpoints carry the root of the state `checkpointLag` blocks earlier, hashed while the
/// blocks in between are sealed: a chain closed and reopened within the lag, or a ledger an older
/// govconsole sealed until within it, still seals a checkpoint every replay agrees with.
@Suite struct LaggedCheckpointTests {
    /// Seals one-transaction blocks until the chain is at `height`.
    func seal(_ t: TestChain, to height: UInt64) async throws {
        try await t.call("alice", "issue", ["1000"])
        while await t.chain.state.height < height { try await t.call("alice", "transfer", ["bob", "1"]) }
    }

    /// The state after block `height`, replayed from genesis.
    func replayedRoot(_ t: TestChain, at height: Int) async throws -> Hash256 {
        let blocks = try await t.chain.blocks()
        var state = try Chain.verifyGenesis(blocks[0])
        var due: CheckpointRoot?
        let runtime = ContractRuntime()
        for b in blocks[1...height] { try Chain.replay(b, onto: &state, due: &due, runtime: runtime) }
        return state.root
    }

    /// Seals a few blocks past the one that feeds the first checkpoint, closes, and reads the snapshot
    /// closing left.
    func closedWithinTheLag(_ t: TestChain) async throws -> (state: ChainState, due: CheckpointRoot?) {
        let fed = BlockHeader.stateRootInterval - BlockHeader.checkpointLag
        try await seal(t, to: fed + 3)
        await t.chain.close()
        let snapshot = try #require(try StateSnapshot.read(from: t.dir + "/ledger")?.get())
        #expect(snapshot.state.height == fed + 3)
        return snapshot
    }

    @Test func aSnapshotWithinTheLagCarriesTheRootAndTheReopenedChainSealsIt() async throws {
        var t = try TestChain()
        let interval = BlockHeader.stateRootInterval
        let fed = interval - BlockHeader.checkpointLag
        let ledger = t.dir + "/ledger"
        let snapshot = try await closedWithinTheLag(t)
        #expect(snapshot.due?.checkpoint == interval, "the snapshot within the lag carries the coming checkpoint's root")

        try t.reopen()
        try await seal(t, to: interval + 1)
        let blocks = try await t.chain.blocks()
        #expect(blocks[Int(interval)].header.format == BlockHeader.version)
        #expect(blocks[Int(interval)].header.stateRoot == snapshot.due?.root)
        #expect(try await replayedRoot(t, at: Int(fed)) == snapshot.due?.root)
        await t.chain.close()
        let audit = try LedgerAudit.run(directory: ledger)
        #expect(audit.ok && audit.checked["state roots"] == 1, "\(audit.problems)")
    }

    @Test func aLedgerSealedInFormat4WithinTheLagSealsThatCheckpointTheOldWayThenMovesOn() async throws {
        var t = try TestChain(format: 4)
        let interval = BlockHeader.stateRootInterval
        // As a govconsole without lagged roots left it: a snapshot within the lag, carrying no root.
        let snapshot = try await closedWithinTheLag(t)
        try StateSnapshot.write(snapshot.state, due: nil, to: t.dir + "/ledger")
        try t.reopen()
        try await seal(t, to: interval + BlockHeader.checkpointLag + 2)
        await t.chain.close()
        try FileManager.default.removeItem(atPath: StateSnapshot.path(t.dir + "/ledger"))
        try t.reopen()
        try await seal(t, to: 2 * interval + 1)
        let blocks = try await t.chain.blocks()
        #expect(blocks[1...Int(interval)].allSatisfy { $0.header.format == 4 }, "format 4 up to its checkpoint")
        #expect(blocks.dropFirst(Int(interval) + 1).allSatisfy { $0.header.format == BlockHeader.version })
        #expect(blocks[Int(interval)].header.stateRoot == (try await replayedRoot(t, at: Int(interval) - 1)))
        #expect(blocks[Int(2 * interval)].header.stateRoot == (try await replayedRoot(t, at: Int(2 * interval - BlockHeader.checkpointLag))))
        await t.chain.close()
        let audit = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(audit.ok && audit.checked["state roots"] == 2, "\(audit.problems)")
    }
}
