import ChainModel
import ChainPrimitives
@testable import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
@testable import ServicePlatform
import Testing

/// Requests are verified before the engine's turn and handed to the platform in batches: votes sent
/// together share a block, and one that fails its check is refused alone. The producer is held so the
/// order does not depend on timing.
@Suite struct HandOffTests {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-handoff-\(UUID().uuidString.prefix(8))")

    @Test func votesSentTogetherShareABlockAndAForgedOneIsRefusedAlone() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = client.local!
        let chain = engine.platform.chain
        _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
        let before = try await client.status().height

        await chain.setSealingPaused(true)
        let votes = ["alice", "bob", "carol"].map { voter in Task { try await client.vote(1, "reject", as: voter) } }
        try await waitUntil("the three votes are queued") { await chain.pendingCount == 3 }
        // dave's vote signed with another key: refused at its check, while the others wait for their block.
        let context = try await engine.signingContext(for: "dave", proposal: 1)
        let forged = Transaction.signed(chain: context.chain, sender: "dave", nonce: context.nonce, lane: .production,
                                        payload: .governance(.vote(proposal: 1, request: context.voteRequest!, choice: .approve)),
                                        key: SigningKey())
        await #expect(throws: TransactionRejection.badSignature(sender: "dave")) { try await engine.submit(forged, since: before) }
        await chain.setSealingPaused(false)

        let heights = try await votes.asyncMap { try await $0.value.height }
        #expect(Set(heights) == [before + 1], "one block for the three")
        let blocks = try await engine.platform.readBlocks(from: before + 1)
        #expect(blocks.flatMap(\.transactions).map(\.sender).sorted() == ["alice", "bob", "carol"])
        await client.close()
    }

    /// Each request of a batch takes its own result, whether it asks before or after the batch is settled.
    @Test func everyRequestOfABatchTakesItsOwnResult() async {
        let results = SharedResults()
        let early = Task { await results.result(at: 1) }
        let receipt = { (n: UInt64) in
            ServicePlatform.Sealed(receipt: Receipt(tx: .zero, node: "node-1", logic: "v1", ok: true, error: nil, events: []), height: n)
        }
        // Settled only once the early request waits: progress, not a delay, decides the order.
        while results.waiting == 0 { await Task.yield() }
        results.settle([.success(receipt(7)), .success(receipt(8))])
        #expect((try? await early.value.get())?.height == 8)
        #expect((try? await results.result(at: 0).get())?.height == 7)
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
