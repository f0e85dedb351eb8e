import ChainPrimitives
@testable import EmbeddedChain
import Foundation
import GovernanceAPI
@testable import GovernanceEngine
@testable import ServicePlatform
import Testing

/// Requests that share blocks: each is checked against the committed state, then queued; what was
/// queued ahead of it can change its outcome. The producer is held so the order does not depend on timing.
@Suite struct QueuedRequestTests {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-queued-\(UUID().uuidString.prefix(8))")

    /// A call whose dry run passed against the committed state, but which a call queued ahead of it makes
    /// fail, is refused with the contract's reason when it is sealed: not recorded as a failed call.
    @Test func aCallMadeToFailByOneQueuedAheadIsRefusedNotRecorded() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let chain = client.local!.platform.chain
        _ = try await client.call("asset-ledger", "issue", args: ["10"], lane: .production, as: "alice")
        let before = try await client.status().height

        await chain.setSealingPaused(true)
        let first = Task { try await client.call("asset-ledger", "transfer", args: ["bob", "10"], lane: .production, as: "alice") }
        try await waitUntil("the first transfer is queued") { await chain.pendingCount == 1 }
        let second = Task { try await client.call("asset-ledger", "transfer", args: ["carol", "10"], lane: .production, as: "alice") }
        try await waitUntil("the second transfer is queued") { await chain.pendingCount == 2 }
        await chain.setSealingPaused(false)

        #expect(try await first.value.ok)
        await #expect {
            try await second.value
        } throws: { error in
            guard case let EngineError.callFailed(contract, _, reason)? = error as? EngineError else { return false }
            return contract == "asset-ledger" && reason.contains("insufficient")
        }
        // Nothing of the refused call is on the ledger: one block, one receipt, and it succeeded.
        let blocks = try await client.local!.platform.readBlocks(from: before + 1)
        #expect(blocks.flatMap(\.receipts).map(\.ok) == [true])
        // Its nonce was given back: alice's next call goes through.
        #expect(try await client.call("asset-ledger", "balance", args: [], lane: .production, as: "alice").ok)
        await client.close()
    }

    /// A request that fails its check while others are queued waits for those outside the engine's
    /// turn: requests behind it are queued meanwhile, so one member's bad requests cannot make everyone's
    /// go one block each. Checked again once those landed, it goes through if they were what it needed.
    @Test func aRequestThatMustWaitForThoseAheadDoesNotHoldUpTheOnesBehind() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain

        await chain.setSealingPaused(true)
        let issue = Task { try await client.call("asset-ledger", "issue", args: ["5"], lane: .production, as: "bob") }
        try await waitUntil("bob's issue is queued") { await chain.pendingCount == 1 }
        // Needs the issue ahead of it: it fails against the committed state, where bob holds nothing.
        let transfer = Task { try await client.call("asset-ledger", "transfer", args: ["carol", "5"], lane: .production, as: "bob") }
        // Fails however long it waits.
        let stray = Task { try await client.vote(99, "approve", as: "erin") }
        try await waitUntil("both wait for the request ahead of them") { engine.book.withLock { $0.parked.count } == 2 }
        let behind = Task { try await client.call("asset-ledger", "issue", args: ["1"], lane: .production, as: "carol") }
        try await waitUntil("the request behind them is queued while they wait") { await chain.pendingCount == 2 }
        // A refusal of another of bob's requests now must not hand out the nonce his parked transfer holds.
        engine.forgetNonces(of: "bob")
        let next = try await engine.signingContext(for: "bob")
        #expect(next.nonce == 3, "bob's issue holds nonce 1 and his parked transfer nonce 2")
        await engine.release(next)
        await chain.setSealingPaused(false)

        #expect(try await issue.value.ok)
        #expect(try await behind.value.ok)
        #expect(try await transfer.value.ok)
        await #expect(throws: GovernanceError.unknownProposal(99)) { try await stray.value }
        #expect(engine.book.withLock { $0.parked.isEmpty })
        await client.close()
    }
}
