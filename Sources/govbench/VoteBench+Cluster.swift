import ClusterOrdering
import DurableStorage
import EtcdClient
import EtcdLauncher
import Foundation
import GovernanceAPI
import GovernanceEngine

/// The same search through three engines of three organisations that keep one ledger through a local
/// three-member etcd (`govbench --cluster`): each client sends through one engine, as members reach
/// their own organisation's. The engines start from this bench's ledger as it stands, each with one
/// node's key, so the search's proposals and voters are the ones the other searches used.
extension VoteBench {
    struct ClusterOutcome: Sendable {
        var search: SLOSearch.Outcome
        /// etcd's own rate of small writes on this machine from 16 writers, the reference the order is built on.
        var etcdPutsPerS: Double
        var engines: Int
    }

    func clusterSearch(ceiling: Double) async throws -> ClusterOutcome {
        progress.say("starting a three-member etcd on loopback")
        let etcd = try await LocalEtcdCluster.start()
        do {
            let outcome = try await clusterSearch(ceiling: ceiling, etcd: etcd)
            await etcd.stop()
            return outcome
        } catch {
            await etcd.stop()
            throw error
        }
    }

    private func clusterSearch(ceiling: Double, etcd: LocalEtcdCluster) async throws -> ClusterOutcome {
        let puts = try await Self.etcdPutRate(etcd.endpoints, for: .seconds(scale.voters < 10_000 ? 1 : 3), progress: progress)
        // The bench's own engine is closed by now (`crashReopen` leaves it so): its ledger can be copied.
        let nodes = ["node-1", "node-2", "node-3"]
        var engines: [GovernanceEngine] = []
        for node in nodes {
            let org = DataDirectory(path: dir.path + "-" + node)
            try? FileManager.default.removeItem(atPath: org.path)
            try FileManager.default.createDirectory(atPath: org.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.copyItem(atPath: dir.ledger, toPath: org.ledger)
            try Keystore(directory: org.keys).store(try Keystore(directory: dir.keys).load(node), for: node)
            engines.append(try await GovernanceEngine.open(at: org, cluster: ClusterSettings(node: node, etcd: etcd.endpoints)))
        }
        defer { for node in nodes { try? FileManager.default.removeItem(atPath: dir.path + "-" + node) } }
        // Proposals for each step go through the first engine; votes wait until every engine has taken them.
        engine = engines[0]
        let all = engines
        proposed = {
            let height = await all[0].chainState().height
            while await all.asyncMin({ await $0.chainState().height }) < height { try? await Task.sleep(for: .milliseconds(5)) }
        }
        defer { proposed = nil }
        let shape = loadShape
        progress.say("searching the cluster's rate at p99 ≤ 50 ms: \(shape.clients) clients over \(engines.count) engines")
        let route = Dictionary(uniqueKeysWithValues: voters.indices.map { i in (voters[i].name, i % shape.clients % all.count) })
        let submit: (UInt64) -> OpenLoop.Submit = { since in
            { tx in
                let reply = try await all[route[tx.sender]!].submit(tx, since: since)
                return Self.recordsTally(reply.receipt)
            }
        }
        try await settle(rate: 0.02 * ceiling, clients: shape.clients, submit: submit(await engine.chainState().height))
        var seed: UInt64 = 2_000
        let search = try await SLOSearch(low: 0.02 * ceiling, high: 0.5 * ceiling, steps: shape.steps).run { rate in
            seed += 1
            return try await openLoopStep(rate: rate, seed: seed, clients: shape.clients, submit: submit(await engine.chainState().height))
        }
        for e in engines { await e.close() }
        return ClusterOutcome(search: search, etcdPutsPerS: puts, engines: engines.count)
    }

    /// Small puts from 16 writers, as `etcdctl check perf` measures etcd.
    static func etcdPutRate(_ endpoints: [String], for duration: Duration, progress: Progress) async throws -> Double {
        let client = try EtcdClient(endpoints: endpoints)
        let value = [UInt8](repeating: 0x61, count: 256)
        let started = ContinuousClock.now
        let deadline = started + duration
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for w in 0..<16 {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        _ = try await client.put(Array("govbench/puts/\(w)/\(n)".utf8), value)
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        let rate = Double(count) / (ContinuousClock.now - started).seconds
        _ = try? await client.deleteRange(from: Array("govbench/puts/".utf8), to: EtcdClient.prefixEnd(Array("govbench/puts/".utf8)))
        await client.shutdown()
        progress.say(String(format: "etcd takes %.0f small writes/s from 16 writers", rate))
        return rate
    }
}

extension Array where Element: Sendable {
    func asyncMin(_ value: (Element) async -> UInt64) async -> UInt64 {
        var least = UInt64.max
        for e in self { least = Swift.min(least, await value(e)) }
        return least
    }
}
