import ChainModel
import ChainPrimitives
@testable import ClusterOrdering
import Foundation
import GovernanceAPI
@testable import GovernanceEngine
import Testing

/// Node routing across machines (claim 6): each organisation's engine runs one node, and a transaction
/// that routing gives to another organisation's node is admitted by that node's engine, with its logic,
/// before it is ordered; the receipt names the node. A node whose engine is gone is recorded down and
/// routed around, and routed to again once its engine is back.
@Suite struct NodeRoutingAcrossEnginesTests {
    /// Calls through engine 0 until routing has given each of the other two nodes a few; returns the node
    /// each receipt names.
    static func callsUntilEveryNodeHasSome(_ c: Consortium3, through i: Int, nodes: [String], each: Int = 2) async throws -> [String] {
        var named: [String] = []
        for n in 0..<300 {
            named.append(try await c.client(i).call("asset-ledger", "issue", args: ["\(n + 1)"], lane: .production, as: "alice").node)
            if nodes.allSatisfy({ node in named.count { $0 == node } >= each }) { return named }
        }
        Issue.record("300 calls and routing did not reach each of \(nodes): \(named)")
        return named
    }

    @Test func eachTransactionIsAdmittedByTheEngineOfTheNodeRoutingPicksAndItsReceiptNamesIt() async throws {
        try await Consortium3.with() { c in
            // The demo's node-4 to node-6 have no engine here, and are recorded down (the fixture waits for it).
            let named = try await Self.callsUntilEveryNodeHasSome(c, through: 0, nodes: Consortium3.nodes)
            #expect(Set(named).isSubset(of: Set(Consortium3.nodes)), "no receipt names a node that is down: \(named)")
            // Those routed to node-2 and node-3 went to their engines, which admitted them. (At least as
            // many: on a loaded machine a lapsed lease may record a node down and up again, and a
            // transaction routed again on its way is admitted again where routing sends it then.)
            #expect(c.engines[1].platform.admittedForOthers >= named.count { $0 == "node-2" })
            #expect(c.engines[2].platform.admittedForOthers >= named.count { $0 == "node-3" })
        }
    }

    @Test func aNodesOwnLogicRefusesAtItsEngineAndNothingIsWritten() async throws {
        try await Consortium3.with() { c in
            // Every node that is up moves to logic v2, which refuses a call of more than eight arguments.
            // Routing sends the old version's share to the nodes that are up, now all on v2 (its fallback).
            for node in Consortium3.nodes { _ = try await c.client(0).setNodeLogic(node, "v2") }
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            // Straight to the platform, as generated traffic goes: a call sent by hand is first tried
            // against the routed node's logic by the engine it came in through, and refused there.
            let alice = try c.members.load("alice")
            var reasons: [String] = []
            for n in 0..<300 where !reasons.contains(where: { $0.contains("node-3") }) {
                let state = await c.engines[0].platform.state()
                let call = ContractCall(contract: "asset-ledger", function: "issue", args: (0...8).map { "\($0 + n)" })
                let tx = Transaction.signed(chain: state.genesisHash, sender: "alice", nonce: state.nextNonce(of: "alice"), lane: .production,
                                            payload: .call(call), key: alice)
                do {
                    _ = try await c.engines[0].platform.submit(tx)
                    Issue.record("a call of nine arguments was admitted")
                } catch {
                    reasons.append("\(error)")
                }
                #expect(await c.engines[0].platform.state().transactionCount == state.transactionCount)
            }
            // Refused at node-3's engine, with its reason, and said so; never at a node that is down.
            let atNode3 = try #require(reasons.first { $0.contains("node-3") })
            #expect(atNode3.contains("refused by node-3, the node routing sent it to"), "\(atNode3)")
            #expect(atNode3.contains("at most 8 arguments"), "\(atNode3)")
            #expect(!reasons.contains { $0.contains("node-4") || $0.contains("node-5") || $0.contains("node-6") })
        }
    }

    @Test func anEngineThatStopsIsRoutedAroundAndRoutedToAgainOnceBack() async throws {
        var c = try await Consortium3.start()
        do {
            await c.engines[2].close()
            // Its lease runs out; the sealer (one of the two left) records node-3 down.
            try await routingSettles([c.engines[0], c.engines[1]], up: ["node-1", "node-2"])
            let state = await c.engines[0].platform.state()
            let event = try await c.engines[0].platform.readBlocks(from: 1).flatMap(\.events).last {
                if case .governance(.nodeAvailabilityChanged("node-3", false, _)) = $0.event { return true }
                return false
            }
            #expect(event != nil, "the ledger says node-3 went down, and which node recorded it")
            var named: [String] = []
            for n in 0..<20 {
                named.append(try await c.client(0).call("asset-ledger", "issue", args: ["\(n + 1)"], lane: .production, as: "alice").node)
            }
            #expect(Set(named).isSubset(of: ["node-1", "node-2"]), "\(named)")
            #expect(state.nodes.first { $0.name == "node-3" }?.online == false)

            // Back: node-3's engine records itself up, and routing gives it its share again.
            c.engines[2] = try await GovernanceEngine.open(at: c.joined[2], cluster: ClusterSettings(node: "node-3", etcd: c.etcd.endpoints))
            try await routingSettles(c.engines, up: Set(Consortium3.nodes))
            let again = try await Self.callsUntilEveryNodeHasSome(c, through: 0, nodes: ["node-3"], each: 1)
            #expect(again.contains("node-3"))
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            #expect(try c.ledgersIdentical())
        } catch {
            await c.close()
            throw error
        }
        await c.close()
    }
}
