import ChainModel
import ChainPrimitives
import DurableStorage
@testable import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
import Rollout
@testable import ServicePlatform
import Testing

/// The platform owns node routing (claim 6): its table follows committed blocks, and traffic it routed
/// before a policy switch sealed ahead of it is routed again, not refused.
@Suite struct PlatformRoutingTests {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-routing-\(UUID().uuidString)")

    func passed(_ c: GovernanceClient, _ op: ManagementOperation) async throws -> UInt64 {
        let id = try await c.propose(op, as: "ops").id
        for v in ["alice", "bob", "carol"] { _ = try await c.vote(id, "approve", as: v) }
        return id
    }

    /// Waits until the table has seen the chain's head, then compares it with the state's own fleet and policy.
    func expectTableFollowsTheState(_ platform: ServicePlatform, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let state = await platform.state()
        try await waitUntil("the routing table reached height \(state.height)") { await platform.routingTable().height >= state.height }
        let table = await platform.routingTable()
        #expect(table.policy == state.management.nodeRouting, sourceLocation: sourceLocation)
        #expect(table.fleet.map(\.name) == state.nodes.map(\.name) && table.fleet.map(\.logic) == state.nodes.map(\.logic),
                sourceLocation: sourceLocation)
    }

    @Test func theRoutingTableFollowsCommittedBlocksFromTheStateAtOpen() async throws {
        let c = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let platform = c.local!.platform
        try await expectTableFollowsTheState(platform)
        _ = try await c.execute(try await passed(c, .upgradeNodes(to: "v2", stage: .prerelease, percent: 100)), as: "ops")
        try await expectTableFollowsTheState(platform)
        #expect(await platform.routingTable().policy.stage == .prerelease)
        _ = try await c.setNodeLogic("node-1", "v2")
        try await expectTableFollowsTheState(platform)
        _ = try await c.execute(try await passed(c, .rollbackNodes), as: "ops")
        try await expectTableFollowsTheState(platform)
        await c.close()

        // Reopened, the table starts from the state as the ledger left it.
        let reopened = try await GovernanceClient.open(at: dir)
        try await expectTableFollowsTheState(reopened.local!.platform)
        #expect(await reopened.local!.platform.routingTable().fleet.first { $0.name == "node-1" }?.logic == "v2")
        await reopened.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }

    /// Traffic routed to v1 nodes waits behind the execution that sends pre-release traffic to v2. The
    /// execution is sealed first, so the chain refuses the traffic as misrouted; the platform routes it
    /// again and every call lands, on v2, with each sender's later nonces after its first.
    @Test func aPolicySwitchRacingQueuedTrafficDoesNotRefuseIt() async throws {
        let c = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let engine = c.local!
        let chain = engine.platform.chain
        let upgrade = try await passed(c, .upgradeNodes(to: "v2", stage: .prerelease, percent: 100))
        let genesis = await engine.platform.state().genesisHash
        var signed: [Transaction] = []
        for voter in ["alice", "bob", "dave"] {
            let key = try c.keystore.load(voter)
            let next = await engine.platform.state().nextNonce(of: voter)
            for n in 0..<3 {
                // A production call between two pre-release ones stays routed right, but is refused for the
                // nonce its misrouted predecessor left unused: it must go again with it.
                signed.append(.signed(chain: genesis, sender: voter, nonce: next + UInt64(n), lane: n == 1 ? .production : .prerelease,
                                       payload: .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])), key: key))
            }
        }
        let traffic = signed
        // Routed now, every call goes to a v1 node: pre-release traffic is not on v2 yet.
        for tx in traffic { #expect(!["node-5", "node-6"].contains(await engine.platform.node(for: tx))) }

        await chain.setSealingPaused(true)
        let switched = Task { try await c.execute(upgrade, as: "ops") }
        try await waitUntil("the execution was queued") { await chain.pendingCount == 1 }
        let sent = Task { await engine.platform.submit(batch: traffic) }
        try await waitUntil("the traffic was queued behind it") { await chain.pendingCount == 1 + traffic.count }
        await chain.setSealingPaused(false)

        _ = try await switched.value
        let receipts = try await sent.value.map { try $0.get() }
        for (tx, r) in zip(traffic, receipts) {
            #expect(r.logic == (tx.lane == .prerelease ? "v2" : "v1"), "\(tx.lane) went to \(r.node)")
        }
        await c.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }

    /// Two requests of one sender queued behind the switch: the first is routed again by the platform,
    /// the second, routed right but refused for the nonce the first left unused, is sent again once the
    /// first has landed. Neither client sees a refusal.
    @Test func aSendersNextRequestWaitsForItsReroutedPredecessor() async throws {
        let c = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let chain = c.local!.platform.chain
        let upgrade = try await passed(c, .upgradeNodes(to: "v2", stage: .prerelease, percent: 100))
        await chain.setSealingPaused(true)
        let switched = Task { try await c.execute(upgrade, as: "ops") }
        try await waitUntil("the execution was queued") { await chain.pendingCount == 1 }
        let first = Task { try await c.call("asset-ledger", "balance", args: [], lane: .prerelease, as: "alice") }
        try await waitUntil("alice's first call was queued") { await chain.pendingCount == 2 }
        let second = Task { try await c.call("asset-ledger", "balance", args: [], lane: .production, as: "alice") }
        try await waitUntil("alice's second call was queued") { await chain.pendingCount == 3 }
        await chain.setSealingPaused(false)
        _ = try await switched.value
        #expect(try await first.value.logic == "v2")
        #expect(try await second.value.logic == "v1")
        await c.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }
}
