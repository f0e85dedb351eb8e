import ChainModel
import ChainPrimitives
@testable import EmbeddedChain
import DurableStorage
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
@testable import ServicePlatform
import Testing

/// A vote is queued on its caller's task, outside the engine's turn (`RequestBook`). These pin what that
/// shortcut must keep of the longer way: arrival order behind a request holding the turn, the contract's
/// reason and the nonce given back when the producer refuses it, and one seal for a vote sent twice. The
/// producer is held so the order does not depend on timing.
@Suite struct QueuedVoteTests {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-queued-vote-\(UUID().uuidString.prefix(8))")

    @Test func aVoteWaitsBehindARequestHoldingTheTurn() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        await chain.setSealingPaused(true)

        // A request in its turn, between its start and its queueing (a dry run, say), until released.
        let (release, released) = AsyncStream<Void>.makeStream()
        let holder = Task { try await engine.serialized { for await _ in release { break } } }
        try await waitUntil("the turn is held") { engine.book.withLock { $0.turnTaken } }
        let vote = Task { try await client.vote(1, "approve", as: "alice") }
        try await waitUntil("the vote waits for the turn") { await engine.turnWaiters == 1 }
        #expect(await chain.pendingCount == 0, "the vote did not overtake the request holding the turn")

        released.yield()
        try await holder.value
        try await waitUntil("the vote is queued once the turn is free") { await chain.pendingCount == 1 }
        await chain.setSealingPaused(false)
        #expect(try await vote.value.tally.approve == 1)
        await client.close()
    }

    @Test func aVoteRefusedWhenSealedSaysWhyAndGivesItsNonceBack() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        let aliceNext = engine.platform.committed.nextNonce(of: "alice")
        await chain.setSealingPaused(true)

        // The cancellation is queued first; the vote, checked against the committed state where #1 is
        // still voting, is queued behind it and refused when the two are sealed.
        let cancel = Task { try await client.cancel(1, as: "ops") }
        try await waitUntil("the cancellation is queued") { await chain.pendingCount == 1 }
        let vote = Task { try await client.vote(1, "approve", as: "alice") }
        try await waitUntil("the vote is queued behind it") { await chain.pendingCount == 2 }
        await chain.setSealingPaused(false)

        _ = try await cancel.value
        await #expect(throws: GovernanceError.votingClosed(proposal: 1, status: .canceled)) { try await vote.value }
        let context = try await engine.signingContext(for: "alice")
        #expect(context.nonce == aliceNext, "the refused vote's nonce is handed out again")
        await engine.release(context)
        await client.close()
    }

    @Test func aVoteSentTwiceWhileQueuedIsSealedOnceAndBothHearTheSameBlock() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        let before = try await client.status().height
        let key = try Keystore(directory: dir.keys).load("alice")
        let context = try await engine.signingContext(for: "alice", proposal: 1)
        let tx = Transaction.signed(chain: context.chain, sender: "alice", nonce: context.nonce, lane: .production,
                                    payload: .governance(.vote(proposal: 1, request: context.voteRequest!, choice: .approve)), key: key)
        await chain.setSealingPaused(true)

        let first = Task { try await engine.submit(tx, since: before) }
        try await waitUntil("the vote is queued") { await chain.pendingCount == 1 }
        let again = Task { try await engine.submit(tx, since: before) }
        try await waitUntil("the copy waits with the first") {
            engine.book.withLock { $0.flights[tx.id]?.outcome }?.waiting == 1
        }
        await chain.setSealingPaused(false)

        let heights = [try await first.value.height, try await again.value.height]
        #expect(heights == [before + 1, before + 1])
        let sealed = try await engine.platform.readBlocks(from: before + 1).flatMap(\.transactions)
        #expect(sealed.map(\.id) == [tx.id])
        await client.close()
    }

    /// A vote queued ahead of its sender's earlier nonce, whose request is parked behind others: the vote
    /// is refused a nonce gap and waits for that earlier request, which must not wait for the vote in turn.
    @Test func aVoteAheadOfItsSendersParkedRequestDoesNotWaitForeverWithIt() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        let before = try await client.status().height
        let key = try Keystore(directory: dir.keys).load("bob")
        let first = try await engine.signingContext(for: "bob")
        let second = try await engine.signingContext(for: "bob", proposal: 1)
        // bob holds nothing: his transfer fails its check for as long as carol's issue is ahead of it.
        let transfer = Transaction.signed(chain: first.chain, sender: "bob", nonce: first.nonce, lane: .production,
                                          payload: .call(ContractCall(contract: "asset-ledger", function: "transfer", args: ["carol", "5"])), key: key)
        let vote = Transaction.signed(chain: second.chain, sender: "bob", nonce: second.nonce, lane: .production,
                                      payload: .governance(.vote(proposal: 1, request: second.voteRequest!, choice: .approve)), key: key)
        await chain.setSealingPaused(true)

        let issue = Task { try await client.call("asset-ledger", "issue", args: ["1"], lane: .production, as: "carol") }
        try await waitUntil("carol's issue is queued") { await chain.pendingCount == 1 }
        let voted = Task { try await engine.submit(vote, since: before) }
        try await waitUntil("bob's vote is queued ahead of his earlier nonce") { await chain.pendingCount == 2 }
        let transferred = Task { try await engine.submit(transfer, since: before) }
        try await waitUntil("bob's transfer is parked") { engine.book.withLock { $0.parked.count } == 1 }
        await chain.setSealingPaused(false)

        // Waited for by progress with a limit, so a deadlock fails the test instead of hanging it.
        try await waitUntil("bob's transfer and vote are both answered") {
            engine.book.withLock { $0.flights.isEmpty && $0.parked.isEmpty }
        }
        #expect(try await issue.value.ok)
        await #expect(throws: EngineError.self) { try await transferred.value }
        await #expect(throws: TransactionRejection.self) { try await voted.value }
        await client.close()
    }
}
