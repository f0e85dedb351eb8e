import ChainPrimitives
import ClusterOrdering
import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
import Synchronization
import Testing

/// What the engines do when etcd fails under them: nothing acknowledged is lost when its leader is
/// killed, and with etcd gone writes are refused with the reason while reads go on. One at a time: each
/// breaks an etcd of its own.
@Suite(.serialized) struct OrderFaultTests {
    @Test func killingEtcdsLeaderUnderLoadLosesNothingAcknowledged() async throws {
        try await Consortium3.with(ownEtcd: true) { c in
            let proposals = 4
            for _ in 0..<proposals { _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops") }
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            let voters = ["alice", "bob", "carol", "dave", "erin"]
            let acknowledged = Shared<[(voter: String, proposal: UInt64)]>([])
            let refused = Shared<[String]>([])
            // Each voter votes on every proposal in turn, through the engine of its own organisation.
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for (i, voter) in voters.enumerated() {
                        group.addTask {
                            for p in 1...UInt64(proposals) {
                                do {
                                    _ = try await c.client(i % 3).vote(p, "abstain", as: voter)
                                    acknowledged.withLock { $0.append((voter, p)) }
                                } catch {
                                    refused.withLock { $0.append("\(voter) on \(p): \(error)") }
                                }
                            }
                        }
                    }
                }
            }
            // The fault point is progress, not time: after the fifth acknowledgement.
            try await waitUntil("five votes are acknowledged") { acknowledged.withLock { $0.count } >= 5 }
            let leader = try #require(await c.etcd.leaderIndex())
            await c.etcd.kill(member: leader)
            let beforeKill = acknowledged.withLock { $0.count }
            await load.value
            // The votes still on their way when the leader died got through its election.
            #expect(acknowledged.withLock { $0.count } > beforeKill, "refused: \(refused.withLock { $0 })")
            // Writes go on after the election.
            _ = try await c.client(1).propose(.setPolicy(PolicyChange(votingPeriod: 7_300_000)), as: "ops")
            _ = try await c.converged(atLeast: await c.engines[1].platform.state().height)
            let acked = acknowledged.withLock { $0 }
            #expect(acked.count + refused.withLock { $0.count } == voters.count * proposals)
            for engine in c.engines {
                let m = await engine.platform.state().management
                for (voter, p) in acked {
                    #expect(m.proposal(p)?.vote(of: voter) == .abstain, "\(voter)'s acknowledged vote on \(p) is on every ledger")
                }
            }
            #expect(try c.ledgersIdentical())
        }
    }

    @Test func withEtcdGoneWritesAreRefusedWithTheReasonAndReadsGoOn() async throws {
        try await Consortium3.with(ownEtcd: true) { c in
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            let height = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            for m in 0..<3 { await c.etcd.kill(member: m) }
            let client = c.client(1)
            await #expect {
                _ = try await client.vote(1, "approve", as: "alice")
            } throws: { error in
                guard case TransactionRejection.orderUnavailable = error else { return false }
                return "\(error)".contains("etcd unreachable")
            }
            let status = await c.engines[1].status()
            #expect(status.height == height, "reads are served from the local ledger")
            #expect(status.cluster?.etcd.allSatisfy { !$0.reachable } == true)
            #expect(status.cluster?.problem?.contains("etcd unreachable") == true)
            #expect(await c.engines[1].platform.state().management.proposal(1)?.tally.approve == 0)
            // Once etcd is back, the same vote goes through: the refusal left nothing waiting.
            for m in 0..<3 { try c.etcd.restart(member: m) }
            try await c.etcd.waitUntilHealthy()
            let vote = try await client.vote(1, "approve", as: "alice")
            _ = try await c.converged(atLeast: vote.height)
            #expect(await c.engines[0].platform.state().management.proposal(1)?.tally.approve == 1)
        }
    }
}

/// A value several tasks of a test append to.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ v: Value) { value = Mutex(v) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
