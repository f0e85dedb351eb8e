@testable import ChainModel
@testable import ChainPrimitives
@testable import DurableStorage
@testable import EmbeddedChain
import Foundation
@testable import Governance
@testable import Rollout
import Testing

@Suite struct ChainTests {
    @Test func aForgedSignatureIsRefusedAndNothingChanges() async throws {
        let t = try TestChain()
        let before = await t.chain.state.head
        let forged = await t.tx("ops", .propose(.newVoter("frank")), key: SigningKey())
        await #expect(throws: TransactionRejection.badSignature(sender: "ops")) {
            try await t.submit(forged)
        }
        // A valid signature over different content is a forgery too.
        let real = await t.tx("ops", .propose(.newVoter("frank")))
        let tampered = Transaction(chain: real.chain, sender: real.sender, nonce: real.nonce, lane: real.lane,
                                   payload: .governance(.propose(.newVoter("mallory"))), signature: real.signature)
        await #expect(throws: TransactionRejection.badSignature(sender: "ops")) {
            try await t.submit(tampered)
        }
        #expect(await t.chain.state.head == before)
        #expect(await t.chain.state.height == 0)
    }

    @Test func replayedAndSkippedNoncesAreRefused() async throws {
        let t = try TestChain()
        let first = await t.tx("ops", .propose(.newVoter("frank")))
        _ = try await t.submit(first)
        await #expect(throws: TransactionRejection.staleNonce(sender: "ops", expected: 2, got: 1)) {
            try await t.submit(first)
        }
        let gap = await t.tx("ops", .propose(.newVoter("gina")), nonce: 5)
        await #expect(throws: TransactionRejection.nonceGap(sender: "ops", expected: 2, got: 5)) {
            try await t.submit(gap)
        }
        #expect(await t.chain.state.height == 1)
    }

    @Test func unknownSendersAndOtherChainsAreRefused() async throws {
        let t = try TestChain()
        let key = SigningKey()
        let stranger = await t.tx("mallory", .propose(.newVoter("x")), key: key)
        await #expect(throws: TransactionRejection.unknownSender("mallory")) { try await t.submit(stranger) }
        let other = Transaction.signed(chain: Hash256.of([1]), sender: "ops", nonce: 1, lane: .production,
                                       payload: .governance(.propose(.newVoter("x"))), key: t.keys["ops"]!)
        await #expect(throws: TransactionRejection.wrongChain) { try await t.submit(other) }
    }

    @Test func encodingRoundTripsAndRefusesTruncation() throws {
        let tx = Transaction.signed(chain: Hash256.of([7]), sender: "ops", nonce: 3, lane: .gray,
                                    payload: .governance(.propose(.setPolicy(PolicyChange(quorum: .half, permissionTTL: 5000)))),
                                    key: SigningKey())
        let bytes = tx.encoded
        #expect(try Transaction.decode(bytes) == tx)
        #expect(try Transaction.decode(bytes).id == tx.id)
        for cut in [0, 1, 40, bytes.count - 1] {
            #expect(throws: DecodingFailure.self) { try Transaction.decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: DecodingFailure.self) { try Transaction.decode(bytes + [0]) }
    }

    @Test func reopeningReplaysToTheSameHeadAndState() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        try await t.send("ops", .execute(proposal: 1))
        let before = await t.chain.state
        await t.chain.close()
        try t.reopen()
        let after = await t.chain.state
        #expect(after.height == before.height && after.height == 5)
        #expect(after.head == before.head)
        #expect(after.management.members == before.management.members)
        #expect(after.management.proposals == before.management.proposals)
        #expect(after.nonces == before.nonces)
        #expect(t.chain.warnings.isEmpty)
    }

    /// Node keys are loaded when the chain opens: a key file changed while it runs cannot stop it at
    /// that node's next turn; the next open refuses it, before writing anything.
    @Test func aNodeKeyChangedWhileTheChainRunsNeverStopsIt() async throws {
        var t = try TestChain()
        #expect(chmod(t.dir + "/keys/node-2.key", 0o644) == 0)
        try FileManager.default.moveItem(atPath: t.dir + "/keys/node-3.key", toPath: t.dir + "/node-3.key.away")
        // node-2 signs block 1 and node-3 block 2.
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        #expect(await t.chain.state.height == 2)
        await t.chain.close()
        let ledger = try Data(contentsOf: URL(fileURLWithPath: t.dir + "/ledger/blocks.log"))
        #expect(throws: LedgerError.looseKey(path: t.dir + "/keys/node-2.key", mode: 0o644)) { try t.reopen() }
        #expect(chmod(t.dir + "/keys/node-2.key", 0o600) == 0)
        #expect(throws: LedgerError.keystore("no block-signing key for node-3 in \(t.dir)/keys; restore node-3.key from a backup, since this data directory signs node-3's blocks")) { try t.reopen() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: t.dir + "/ledger/blocks.log")) == ledger)
        try FileManager.default.moveItem(atPath: t.dir + "/node-3.key.away", toPath: t.dir + "/keys/node-3.key")
        try t.reopen()
        try await t.vote("bob", 1, .approve)
        #expect(await t.chain.state.height == 3)
    }

    /// Removing a ledger (`init --force`) and creating one wait, suspended, for a process letting go of
    /// the directory, as opening does, instead of failing at once.
    @Test func removingAndCreatingWaitForAProcessLettingGo() async throws {
        let t = try TestChain()
        let genesis = try #require(try await t.chain.block(at: 0).genesis)
        await t.chain.close()
        let ledger = t.dir + "/ledger"
        var held = try DirectoryLock(directory: ledger)
        let removing = Task { try await Chain.remove(at: ledger, lockWait: 600_000) }
        try await Task.sleep(for: .milliseconds(200))   // ordering only: most likely it tries while the lock is held
        held.release()
        try await removing.value
        #expect(!Chain.exists(at: ledger))
        held = try DirectoryLock(directory: ledger)
        let creating = Task {
            try await Chain.created(at: ledger, genesis: genesis, keystore: t.keystore, clock: t.clock.read, lockWait: 600_000)
        }
        try await Task.sleep(for: .milliseconds(200))
        held.release()
        let chain = try await creating.value
        #expect(await chain.state.height == 0)
        await chain.close()
    }

    @Test func aSecondOpenerIsLockedOut() async throws {
        let t = try TestChain()
        #expect(throws: LedgerError.locked(directory: t.dir + "/ledger")) {
            _ = try Chain.open(at: t.dir + "/ledger", keystore: t.keystore, clock: t.clock.read)
        }
    }

    @Test func aTamperedBlockOnDiskIsDetectedOnOpen() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        try await t.vote("bob", 1, .approve)
        let blocks = try await t.chain.blocks()
        await t.chain.close()

        // Rewrite block 2 so that alice voted reject, re-framing it so the frame checksum is valid:
        // only the chain's own checks (signature, Merkle root, replay) can catch it.
        let path = t.dir + "/ledger/blocks.log"
        let original = blocks[2]
        let aliceRequest = original.transactions[0]
        let evil = Transaction(chain: aliceRequest.chain, sender: "alice", nonce: aliceRequest.nonce, lane: .production,
                               payload: .governance(.vote(proposal: 1, request: 1, choice: .reject)), signature: aliceRequest.signature)
        let forged = Block(header: original.header, genesis: nil, transactions: [evil], receipts: original.receipts,
                           blockEvents: original.blockEvents, signature: original.signature)
        try FileManager.default.removeItem(atPath: path)
        let file = try LedgerFile(path: path)
        for (i, b) in blocks.enumerated() { _ = try file.append(i == 2 ? forged.encoded : b.encoded) }

        // Under a state snapshot the block is not re-executed on open (only its checksum, which the forger
        // recomputed, is checked); the audit re-executes everything and names the height.
        let audit = try LedgerAudit.run(directory: t.dir + "/ledger")
        #expect(!audit.ok && audit.problems.first?.contains("corrupt at height 2") == true, "\(audit.problems)")

        // Without the snapshot, opening replays from genesis and refuses the ledger at that height.
        try FileManager.default.removeItem(atPath: t.dir + "/ledger/state.snapshot")
        #expect(throws: LedgerError.self) { try t.reopen() }
        do { try t.reopen() } catch let LedgerError.corrupt(height, _) { #expect(height == 2) }
    }

    @Test func aSnapshotSkipsReplayAndOneThatDisagreesWithTheLedgerIsIgnored() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        let root = await t.chain.state.root
        await t.chain.close()
        let snapshot = t.dir + "/ledger/state.snapshot"
        #expect(FileManager.default.fileExists(atPath: snapshot))

        try t.reopen()
        #expect(await t.chain.state.root == root && t.chain.warnings.isEmpty)
        await t.chain.close()

        // A damaged snapshot is set aside with a warning and the state rebuilt from genesis, identically.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        bytes[bytes.count / 2] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: snapshot))
        try t.reopen()
        #expect(await t.chain.state.root == root)
        #expect(t.chain.warnings.first?.contains("state snapshot could not be read") == true, "\(t.chain.warnings)")
        await t.chain.close()

        // So is a whole snapshot of another history: its head is not the ledger's block at its height.
        let other = try TestChain()
        try await other.send("ops", .propose(.newVoter("grace")))
        try await other.vote("alice", 1, .approve)
        await other.chain.close()
        try FileManager.default.removeItem(atPath: snapshot)
        try FileManager.default.copyItem(atPath: other.dir + "/ledger/state.snapshot", toPath: snapshot)
        try t.reopen()
        #expect(await t.chain.state.root == root)
        #expect(t.chain.warnings.first?.contains("does not match the ledger") == true, "\(t.chain.warnings)")
        await t.chain.close()
    }

    @Test func aFlippedByteIsCorruptionAndATornTailIsCutBack() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        let height = await t.chain.state.height
        let head = await t.chain.state.head
        await t.chain.close()
        let path = t.dir + "/ledger/blocks.log"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        // Half a record appended, as a crash mid-write leaves it: cut back with a warning.
        try (good + Data([0x47, 0x43, 0x42, 0x31, 0, 0, 1, 0, 9, 9])).write(to: URL(fileURLWithPath: path))
        try t.reopen()
        #expect(await t.chain.state.height == height)
        #expect(await t.chain.state.head == head)
        #expect(t.chain.warnings.count == 1)
        await t.chain.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good)

        // The last block cut short, its header whole: cut back to the block before it.
        try good.prefix(good.count - 10).write(to: URL(fileURLWithPath: path))
        try t.reopen()
        #expect(await t.chain.state.height == height - 1)
        #expect(t.chain.warnings.first?.contains("cut short") == true)
        await t.chain.close()

        // A flipped byte in the last block, whole, is damage too: it was acknowledged, so it is never cut.
        var lastDamaged = good
        lastDamaged[lastDamaged.count - 5] ^= 0x01
        try lastDamaged.write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try t.reopen() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == lastDamaged)

        // A flipped byte inside an earlier block is not a torn write.
        var bad = good
        bad[bad.count / 3] ^= 0x01
        try bad.write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try t.reopen() }
    }

    @Test func manyVotesInOneBlockDoNotConflict() async throws {
        let voters = (1...40).map { ("v\($0)", UInt64(1)) }
        let t = try TestChain(voters: voters)
        try await t.send("ops", .propose(.newVoter("frank")))
        let p = await t.proposal(1)
        // Submit every vote at once; the sealer packs them into few blocks. Once the outcome is settled
        // the proposal closes and later votes are refused, so count what was accepted.
        var accepted = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for (i, (voter, _)) in voters.enumerated() {
                let tx = await t.tx(voter, .vote(proposal: 1, request: p.elector(voter)!.request, choice: i % 3 == 0 ? .reject : .approve))
                group.addTask {
                    do {
                        _ = try await t.submit(tx)
                        return true
                    } catch TransactionRejection.governance(.votingClosed) {
                        return false
                    }
                }
            }
            for try await ok in group where ok { accepted += 1 }
        }
        let after = await t.proposal(1)
        #expect(after.votes.count == accepted)
        #expect(after.tally == Tally.counts(votes: after.votes, weights: Dictionary(uniqueKeysWithValues: voters)))
        #expect(after.recordedStatus == .passed)
        #expect(await t.chain.state.height < 1 + UInt64(accepted))
    }

    @Test func aSenderFloodingTheProducerIsRefusedNotBuffered() async throws {
        let t = try TestChain()
        await t.chain.setSealingPaused(true)
        let state = await t.chain.state
        let limit = Limits.maxPendingPerSender
        func balance(_ sender: String, nonce: UInt64) -> Chain.Submission {
            let tx = Transaction.signed(chain: state.genesisHash, sender: sender, nonce: nonce, lane: .production,
                                        payload: .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])), key: t.keys[sender]!)
            return Chain.Submission(tx: tx, node: NodeRouting.node(for: tx, fleet: state.nodes, policy: state.management.nodeRouting), check: nil)
        }
        // alice queues one more than her share, in nonce order; bob's share is his own.
        let batch = (1...UInt64(limit + 1)).map { balance("alice", nonce: $0) } + [balance("bob", nonce: 1)]
        let results = Task { await t.chain.submit(batch: batch) }
        while await t.chain.pendingCount < limit + 1 { try await Task.sleep(for: .milliseconds(5)) }
        await t.chain.setSealingPaused(false)
        let settled = await results.value
        #expect(settled.prefix(limit).allSatisfy { (try? $0.get().ok) == true })
        #expect(throws: TransactionRejection.backlog(sender: "alice", limit: limit)) { try settled[limit].get() }
        #expect(try settled[limit + 1].get().ok)
        #expect(await t.chain.state.nextNonce(of: "alice") == UInt64(limit) + 1)
        #expect(await t.chain.state.height == 1)

        // A forged transaction is refused at the door: it cannot take a member's share.
        await t.chain.setSealingPaused(true)
        let forged = Transaction.signed(chain: state.genesisHash, sender: "carol", nonce: 1, lane: .production,
                                        payload: .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])), key: SigningKey())
        await #expect(throws: TransactionRejection.badSignature(sender: "carol")) { try await t.submit(forged) }
        #expect(await t.chain.pendingCount == 0)
        await t.chain.close()
    }

    /// Two callers waiting on one batch both hear back, with the height of the block each transaction went into.
    @Test func everyCallerWaitingOnABatchGetsItsResults() async throws {
        let t = try TestChain()
        await t.chain.setSealingPaused(true)
        let tx = await t.tx("ops", .propose(.newVoter("frank")))
        let batch = await t.chain.enqueue(batch: [Chain.Submission(tx: tx, node: await t.routed(tx), check: nil)])
        let first = Task { await t.chain.results(of: batch) }
        let second = Task { await t.chain.results(of: batch) }
        while await t.chain.waiters(on: batch) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await t.chain.setSealingPaused(false)
        for waiting in [first, second] {
            let sealed = try #require(try await waiting.value.first?.get())
            #expect(sealed.receipt.tx == tx.id && sealed.height == 1)
        }
        await t.chain.close()
    }

    @Test func aCutAtAnyByteOfTheLastFrameRecoversTheBlockBefore() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        let before = (height: await t.chain.state.height, root: await t.chain.state.root, length: try Data(contentsOf: URL(fileURLWithPath: t.dir + "/ledger/blocks.log")).count)
        try await t.vote("alice", 1, .approve)
        await t.chain.close()
        let path = t.dir + "/ledger/blocks.log"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // Every length from the end of the previous frame up to one byte short of the last frame's end,
        // as a power cut during its write may leave it. A snapshot is written only after its block is
        // durable, so none can be ahead of a torn tail: remove the one closing wrote.
        try FileManager.default.removeItem(atPath: t.dir + "/ledger/state.snapshot")
        for length in before.length..<good.count {
            try good.prefix(length).write(to: URL(fileURLWithPath: path))
            try t.reopen()
            let state = await t.chain.state
            #expect(state.height == before.height && state.root == before.root, "cut at \(length)")
            #expect(t.chain.warnings.count == (length == before.length ? 0 : 1))
            await t.chain.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == before.length)
        }
    }
}

extension Chain {
    /// How many callers wait on `batch`, so a test knows both have begun waiting.
    func waiters(on batch: QueuedBatch) -> Int { batch.waiter.waiters }
}
