import ChainModel
import ChainPrimitives
import ClusterOrdering
@testable import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
@testable import ServicePlatform
import Testing

/// etcd takes at most so many bytes in one request: blocks are sealed small enough to fit, and a
/// transaction too big to fit even alone is refused with the reason, nothing written.
@Suite struct EntrySizeTests {
    static let limit = 1_200

    @Test func votesSentTogetherAreSplitIntoBlocksThatFitOneEntry() async throws {
        try await Consortium3.with(maxEntryBytes: Self.limit) { c in
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            let start = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            let voters = ["alice", "bob", "carol", "dave", "erin"]
            let client = c.client(1)
            // Held until all five are queued, so they are offered as one batch, too big for one entry.
            let chain = c.engines[1].platform.chain
            await chain.setSealingPaused(true)
            let votes = voters.map { v in
                // Abstentions, so the vote stays open until every one is in.
                Task { try await client.vote(1, "abstain", as: v).height }
            }
            // Counted by sender: on a loaded machine a lapsed lease may queue a node's availability record beside them.
            try await waitUntil("the five votes are queued") { await chain.pendingSenders.count { voters.contains($0) } == voters.count }
            await chain.setSealingPaused(false)
            var heights: [UInt64] = []
            for v in votes { heights.append(try await v.value) }
            _ = try await c.converged(atLeast: heights.max()!)
            let blocks = try await c.engines[2].platform.readBlocks(from: start + 1)
            #expect(blocks.flatMap(\.transactions).count { voters.contains($0.sender) } == voters.count)
            #expect(blocks.count > 1, "one batch, split")
            #expect(blocks.allSatisfy { $0.encoded.count <= Self.limit }, "sizes \(blocks.map(\.encoded.count))")
            #expect(await c.engines[0].platform.state().management.proposal(1)?.tally.abstain == UInt64(voters.count))
        }
    }

    @Test func aTransactionTooBigForOneEntryIsRefusedWithTheReason() async throws {
        try await Consortium3.with(maxEntryBytes: 600) { c in
            let client = c.client(0)
            await #expect {
                _ = try await client.propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            } throws: { error in
                guard case let TransactionRejection.blockTooLarge(bytes, limit) = error else { return false }
                return bytes > limit && limit == 600
            }
            // Nothing written: no proposal. (Not the height: on a loaded machine an engine's lease may
            // lapse, and the record of its node going down and up again takes blocks of its own.)
            #expect(await c.engines[0].platform.state().management.proposal(1) == nil)
        }
    }
}
