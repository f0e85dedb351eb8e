import ChainModel
import ChainPrimitives
@testable import ClusterOrdering
@testable import EmbeddedChain
import EtcdClient
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
import Testing

/// The sealer deletes the order's old entries from etcd once every engine present has taken them; an
/// engine that was away meanwhile, or joins only now, takes the blocks they held from a peer engine,
/// checked as entries are, and ends with the same ledger byte for byte.
@Suite struct TrimmedOrderTests {
    @Test func anEngineAwayWhileTheOrderWasTrimmedAndOneJoiningAfterTakeTheBlocksFromAPeer() async throws {
        var c = try await Consortium3.start(retainEntries: 3)
        var late: GovernanceEngine?
        do {
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            let away = try #require(await c.engines[2].status().cluster?.position)
            await c.engines[2].close()
            // Eight blocks more through an engine left: more than the three entries kept behind them.
            var head: UInt64 = 0
            for i in 0..<8 {
                _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000 + UInt64(i + 1) * 60_000)), as: "ops")
            }
            head = await c.engines[0].platform.state().height
            let genesis = await c.engines[0].platform.state().genesisHash
            let keys = OrderKeys(genesis: genesis)
            let etcd = try EtcdClient(endpoints: c.etcd.endpoints)
            defer { Task { await etcd.shutdown() } }
            var firstKept: UInt64 = 0
            try await waitUntil("the sealer trims the order past position \(away + 1)", limit: .seconds(60)) {
                let page = try await etcd.range(from: keys.entry(1), to: EtcdClient.prefixEnd(keys.log), limit: 1)
                firstKept = page.kvs.first.flatMap { keys.position(of: $0.key) } ?? 0
                return firstKept > away + 1
            }
            // The engine that was away, from its saved position; then node-4's, joined only now, from nothing.
            c.engines[2] = try await GovernanceEngine.open(at: c.joined[2], cluster: ClusterSettings(node: "node-3", etcd: c.etcd.endpoints, retainEntries: 3))
            let root = (c.source.path as NSString).deletingLastPathComponent
            let fourth = try Consortium3.join("node-4", root: root, genesis: try GenesisCopy.read(ledger: c.source.ledger), members: c.members)
            late = try await GovernanceEngine.open(at: fourth, cluster: ClusterSettings(node: "node-4", etcd: c.etcd.endpoints, retainEntries: 3))
            try await waitUntil("both engines left reach block \(head)") {
                await [c.engines[0], c.engines[1]].asyncMap { await $0.platform.state().height }.allSatisfy { $0 >= head }
            }
            _ = try await c.converged(atLeast: head)
            try await waitUntil("node-4's engine reaches block \(head)") { await late!.platform.state().height >= head }
            #expect(try c.ledgersIdentical(), "the engine that was away has the same blocks")
            let blocks = { (dir: DataDirectory) in try Data(contentsOf: URL(fileURLWithPath: dir.ledger + "/blocks.log")) }
            #expect(try blocks(fourth) == blocks(c.joined[0]), "so has the one that joined after the trim")
            #expect(await late!.status().cluster?.refusedEntries == 0)
            // And both take part from here on.
            let vote = try await GovernanceClient(backend: late!, keystore: c.members, compiler: WasmContractCompiler()).vote(1, "approve", as: "alice")
            _ = try await c.converged(atLeast: vote.height)
            #expect(await c.engines[2].platform.state().management.proposal(1)?.tally.approve == 1)
        } catch {
            await late?.close()
            await c.close()
            throw error
        }
        await late?.close()
        await c.close()
    }
}
