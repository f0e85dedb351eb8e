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
            // Back and new, node-3 and node-4 record themselves up: the last blocks every engine takes.
            try await routingSettles(c.engines + [late!], up: ["node-1", "node-2", "node-3", "node-4"])
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

/// A ledger put back from an older copy, beside the order position saved later: the engine reads the
/// order again from its start instead of refusing every entry as out of sequence.
@Suite struct RestoredLedgerTests {
    @Test func aLedgerRestoredFromAnOlderCopyCatchesUpDespiteTheLaterPositionSavedBesideIt() async throws {
        var c = try await Consortium3.start()
        do {
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            let backup = NSTemporaryDirectory() + "gc-backup-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: backup) }
            let settings = ClusterSettings(node: "node-3", etcd: c.etcd.endpoints)
            // A copy of node-3's ledger while it is stopped, then more blocks with it running again.
            await c.engines[2].close()
            try FileManager.default.copyItem(atPath: c.joined[2].ledger, toPath: backup)
            c.engines[2] = try await GovernanceEngine.open(at: c.joined[2], cluster: settings)
            for i in 0..<3 {
                _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_300_000 + UInt64(i) * 60_000)), as: "ops")
            }
            let head = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            await c.engines[2].close()
            let saved = try String(contentsOfFile: c.joined[2].ledger + "/order-position", encoding: .utf8)
            // The older ledger put back, the later position left beside it.
            try FileManager.default.removeItem(atPath: c.joined[2].ledger)
            try FileManager.default.copyItem(atPath: backup, toPath: c.joined[2].ledger)
            try saved.write(toFile: c.joined[2].ledger + "/order-position", atomically: true, encoding: .utf8)
            c.engines[2] = try await GovernanceEngine.open(at: c.joined[2], cluster: settings)
            #expect(await c.engines[2].platform.state().height < head)
            _ = try await c.converged(atLeast: head)
            #expect(try c.ledgersIdentical())
            #expect(await c.engines[2].status().cluster?.refusedEntries == 0, "no entry was refused as out of sequence")
        } catch {
            await c.close()
            throw error
        }
        await c.close()
    }
}
