import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import Synchronization

/// A consortium of `scale.voters` voters on a real ledger, driven through the service platform with
/// votes signed by their own keys.
final class VoteBench: @unchecked Sendable {
    let dir: DataDirectory
    let scale: Scale
    let progress: Progress
    private(set) var engine: GovernanceEngine
    let voters: [(name: String, key: SigningKey)]
    let genesisHash: Hash256
    /// The next nonce of each voter, and of the admins.
    var nonces: [Int]
    var adminNonce: [String: UInt64] = ["ops": 1, "ops2": 1]
    let adminKeys: [String: SigningKey]
    let deliveries = Deliveries()
    private var subscriber: Task<Void, Never>?

    private init(dir: DataDirectory, scale: Scale, progress: Progress, engine: GovernanceEngine,
                 voters: [(name: String, key: SigningKey)], adminKeys: [String: SigningKey], genesisHash: Hash256) {
        self.dir = dir
        self.scale = scale
        self.progress = progress
        self.engine = engine
        self.voters = voters
        self.adminKeys = adminKeys
        self.genesisHash = genesisHash
        nonces = Array(repeating: 1, count: voters.count)
    }

    static func create(at dir: DataDirectory, scale: Scale, progress: Progress) async throws -> VoteBench {
        progress.say("creating a consortium of \(scale.voters) voters in \(dir.path)")
        let keystore = Keystore(directory: dir.keys)
        var members: [Member] = []
        var adminKeys: [String: SigningKey] = [:]
        for admin in ["ops", "ops2"] {
            let key = SigningKey()
            try keystore.store(key, for: admin)
            adminKeys[admin] = key
            members.append(Member(name: admin, role: .admin, weight: 0, publicKey: key.publicKey))
        }
        let nodes = (1...6).map { Genesis.NodeSpec(name: "node-\($0)", logic: "v1") }
        for node in nodes {
            let key = SigningKey()
            try keystore.store(key, for: node.name)
            members.append(Member(name: node.name, role: .node, weight: 0, publicKey: key.publicKey))
        }
        // Voters' keys stay in memory: they sign here, as their own terminals would.
        let voters = (1...scale.voters).map { (name: String(format: "v%05d", $0), key: SigningKey()) }
        members += voters.map { Member(name: $0.name, role: .voter, weight: 1, publicKey: $0.key.publicKey) }
        let assetLedger = try DemoContracts.assetLedger().prefix(1).map {
            Genesis.GenesisContract.Version(version: $0.version, code: try ContractCode.compile(Array($0.source.utf8)))
        }
        let genesis = Genesis(name: "govbench", time: WallClock.now(), policy: .default, members: members, nodes: nodes,
                              contracts: [Genesis.GenesisContract(name: "asset-ledger", versions: assetLedger)])
        let chain = try Chain.create(at: dir.ledger, genesis: genesis, keystore: keystore)
        let genesisHash = chain.genesisHash
        await chain.close()
        let engine = try await GovernanceEngine.open(at: dir)
        let bench = VoteBench(dir: dir, scale: scale, progress: progress, engine: engine, voters: voters,
                              adminKeys: adminKeys, genesisHash: genesisHash)
        await bench.subscribe()
        return bench
    }

    /// The subscriber the events are delivered to: it counts `TallyUpdated` and times each vote's.
    private func subscribe() async {
        let from = await engine.status().height + 1
        let blocks = await engine.platform.blocks(from: from)
        let deliveries = self.deliveries
        subscriber = Task {
            for await block in blocks {
                let now = ContinuousClock.now
                var tallies = 0
                var ids: [Hash256] = []
                for receipt in block.receipts {
                    for case .governance(.tallyUpdated) in receipt.events {
                        tallies += 1
                        ids.append(receipt.tx)
                    }
                }
                deliveries.delivered(tallies, ids: ids, at: now)
            }
        }
    }

    // MARK: Transactions

    func adminTransactions(_ admin: String, _ calls: [GovernanceCall]) -> [Transaction] {
        calls.map { call in
            let nonce = adminNonce[admin]!
            adminNonce[admin] = nonce + 1
            return Transaction.signed(chain: genesisHash, sender: admin, nonce: nonce, lane: .production,
                                      payload: .governance(call), key: adminKeys[admin]!)
        }
    }

    /// Opens `count` proposals by `admin` and returns their ids.
    func propose(_ count: Int, as admin: String) async throws -> [UInt64] {
        let before = await engine.chainState().management.proposals.count
        let txs = adminTransactions(admin, (0..<count).map { i in
            .propose(.setPolicy(PolicyChange(votingPeriod: 24 * 3_600_000 + UInt64(before + i) * 1000)))
        })
        for result in await engine.platform.submit(batch: txs) { _ = try result.get() }
        return (before + 1...before + count).map(UInt64.init)
    }

    /// Every voter's vote on proposal `id`, signed on every core. Approve and reject alternate, so the
    /// outcome stays open until the last vote and none is refused as late.
    func signVotes(on id: UInt64) async -> [Transaction] {
        let p = await engine.chainState().management.proposal(id)!
        let first = p.firstRequest
        let index = Dictionary(uniqueKeysWithValues: p.electorate.seats.enumerated().map { ($1.name, $0) })
        let nonces = self.nonces
        for i in self.nonces.indices { self.nonces[i] += 1 }
        return await parallelMap(Array(voters.indices)) { [voters, genesisHash] i in
            let v = voters[i]
            let choice: Choice = i % 2 == 0 ? .approve : .reject
            return Transaction.signed(chain: genesisHash, sender: v.name, nonce: UInt64(nonces[i]), lane: .production,
                                      payload: .governance(.vote(proposal: id, request: first + UInt64(index[v.name]!), choice: choice)),
                                      key: v.key)
        }
    }

    /// Submits `txs` in chunks, several in flight, and returns how many committed.
    func submitAll(_ txs: [Transaction], chunk: Int = 2_000, inFlight: Int = 4) async -> Int {
        let platform = engine.platform
        return await withTaskGroup(of: Int.self) { group in
            var committed = 0
            var running = 0
            for start in stride(from: 0, to: txs.count, by: chunk) {
                if running == inFlight, let n = await group.next() { committed += n; running -= 1 }
                let slice = Array(txs[start..<min(txs.count, start + chunk)])
                group.addTask { await platform.submit(batch: slice).count { (try? $0.get()) != nil } }
                running += 1
            }
            for await n in group { committed += n }
            return committed
        }
    }

    // MARK: Measurements

    /// Raw Ed25519 verifications per second on every core, of the same keys and messages as the votes.
    func verifyCeiling() async throws -> Double {
        let ids = try await propose(1, as: "ops")
        let votes = await signVotes(on: ids[0])
        let keys = Dictionary(uniqueKeysWithValues: voters.map { ($0.name, $0.key.publicKey) })
        let work = votes.map { (key: keys[$0.sender]!, message: $0.signingBytes, signature: $0.signature) }
        progress.say("verifying \(work.count) signatures on every core")
        var verified = 0
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(quickOr(1, 3)) {
            let ok = await parallelMap(Array(work.indices)) { i in work[i].key.isValidSignature(work[i].signature, for: work[i].message) }
            precondition(ok.allSatisfy { $0 })
            verified += work.count
        }
        // These votes then count as the first round of the vote load.
        pendingFirstRound = votes
        return Double(verified) / (ContinuousClock.now - started).seconds
    }

    private var pendingFirstRound: [Transaction]?

    private func quickOr(_ quick: Int, _ full: Int) -> Int { scale.voters < 10_000 ? quick : full }

    /// Votes from every voter on every proposal, through the platform to the subscriber. Proposals are
    /// made and their votes signed five at a time, outside the timed part, and each five are then sent as
    /// one stream: the pipeline drains only between streams. (A proposal addresses a vote request to every
    /// voter, so making all of them at once would be one enormous block.)
    func committedVotes() async throws -> (perSecond: Double, votes: Int) {
        var timed = Duration.zero
        var committed = 0
        var made = 0
        progress.say("submitting \(scale.voters) votes on each of \(scale.proposals) proposals")
        while made < scale.proposals {
            var votes: [Transaction] = []
            let group = min(5, scale.proposals - made)
            for _ in 0..<group {
                if let first = pendingFirstRound {
                    votes += first
                    pendingFirstRound = nil
                } else {
                    votes += await signVotes(on: try await propose(1, as: "ops")[0])
                }
            }
            made += group
            let base = deliveries.tallies
            let started = ContinuousClock.now
            let accepted = await submitAll(votes)
            guard accepted == votes.count else { throw BenchError("\(votes.count - accepted) of \(votes.count) votes were refused") }
            committed += accepted
            try await deliveries.wait(untilTallies: base + accepted)
            timed += ContinuousClock.now - started
            if made % 10 == 0 { progress.say("  \(made) proposals, \(committed) votes, \(Int(Double(committed) / timed.seconds)) votes/s") }
        }
        return (Double(committed) / timed.seconds, committed)
    }

    /// Vote-to-event latency at a steady offered load.
    func latency(offeredPerSecond rate: Double) async throws -> (p50: Double, p99: Double, offered: Double) {
        let total = Int(rate * scale.latencySeconds)
        let proposals = (total + voters.count - 1) / voters.count
        var votes: [Transaction] = []
        for _ in 0..<proposals { votes += await signVotes(on: try await propose(1, as: "ops2")[0]) }
        // Votes past `total` are never sent: give their senders their nonces back.
        let index = Dictionary(uniqueKeysWithValues: voters.enumerated().map { ($1.name, $0) })
        for unsent in votes.dropFirst(total) { nonces[index[unsent.sender]!] -= 1 }
        votes = Array(votes.prefix(total))
        progress.say("offering \(votes.count) votes at \(Int(rate))/s for latency")
        deliveries.startTiming()
        let platform = engine.platform
        let base = deliveries.tallies
        let started = ContinuousClock.now
        var sent = 0
        let outcomes = await withTaskGroup(of: [String].self) { group in
            while sent < votes.count {
                let due = min(votes.count, Int(rate * (ContinuousClock.now - started).seconds))
                if due > sent {
                    let batch = Array(votes[sent..<due])
                    // Each vote is timed from when it was due, so a late sender loop counts against latency.
                    deliveries.submitted(batch.map(\.id), due: (sent..<due).map { started + .seconds(Double($0) / rate) })
                    group.addTask {
                        await platform.submit(batch: batch).map { r in
                            switch r {
                            case .success: "ok"
                            case let .failure(e): "\(e)"
                            }
                        }
                    }
                    sent = due
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        let committed = outcomes.count { $0 == "ok" }
        if committed < outcomes.count {
            let reasons = Dictionary(grouping: outcomes.filter { $0 != "ok" }, by: { $0 }).map { "\($0.value.count)× \($0.key)" }
            throw BenchError("\(outcomes.count - committed) of \(outcomes.count) latency votes were refused: \(reasons.prefix(3).joined(separator: "; "))")
        }
        try await deliveries.wait(untilTallies: base + committed)
        let samples = deliveries.stopTiming().sorted()
        guard samples.count == committed else { throw BenchError("timed \(samples.count) of \(committed) votes to their events") }
        return (percentile(samples, 50), percentile(samples, 99), rate)
    }

    /// Committed `asset-ledger` transfers per second.
    func wasmCalls() async throws -> Double {
        progress.say("issuing balances to \(voters.count) voters")
        _ = await submitAll(calls { i in ContractCall(contract: "asset-ledger", function: "issue", args: ["1000000"]) })
        var timed = Duration.zero
        var committed = 0
        progress.say("committing \(scale.wasmCalls) asset-ledger transfers")
        while committed < scale.wasmCalls {
            let round = calls(count: min(voters.count, scale.wasmCalls - committed)) { [voters] i in
                ContractCall(contract: "asset-ledger", function: "transfer", args: [voters[(i + 1) % voters.count].name, "1"])
            }
            let started = ContinuousClock.now
            let n = await submitAll(round)
            timed += ContinuousClock.now - started
            guard n == round.count else { throw BenchError("\(round.count - n) of \(round.count) transfers were refused") }
            committed += n
        }
        return Double(committed) / timed.seconds
    }

    private func calls(count: Int? = nil, _ make: (Int) -> ContractCall) -> [Transaction] {
        (0..<(count ?? voters.count)).map { i in
            defer { nonces[i] += 1 }
            return Transaction.signed(chain: genesisHash, sender: voters[i].name, nonce: UInt64(nonces[i]), lane: .production,
                                      payload: .call(make(i)), key: voters[i].key)
        }
    }

    /// Closes the engine and times opening the ledger again until the engine is ready.
    func coldStart() async throws -> Double {
        subscriber?.cancel()
        let count = await engine.chainState().transactionCount
        await engine.close()
        progress.say("reopening a ledger of \(count) transactions")
        let started = ContinuousClock.now
        engine = try await GovernanceEngine.open(at: dir)
        let took = (ContinuousClock.now - started).seconds
        await engine.close()
        return took
    }
}

/// What the subscriber has seen, shared with the submitters.
final class Deliveries: Sendable {
    private struct State {
        var tallies = 0
        var timing = false
        var submittedAt: [Hash256: ContinuousClock.Instant] = [:]
        var latencies: [Double] = []
    }

    private let state = Mutex(State())

    var tallies: Int { state.withLock { $0.tallies } }

    func delivered(_ n: Int, ids: [Hash256], at now: ContinuousClock.Instant) {
        state.withLock { s in
            s.tallies += n
            if s.timing {
                for id in ids {
                    if let t = s.submittedAt.removeValue(forKey: id) { s.latencies.append((now - t).seconds * 1000) }
                }
            }
        }
    }

    /// Waits until the subscriber has seen `target` tallies in all; a benchmark that waited forever for a
    /// lost event would hide the loss, so it gives up after 60 seconds.
    func wait(untilTallies target: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while tallies < target {
            guard ContinuousClock.now < deadline else { throw BenchError("the subscriber saw \(tallies) tallies, expected \(target)") }
            try await Task.sleep(for: .microseconds(200))
        }
    }

    func startTiming() { state.withLock { $0.timing = true; $0.latencies = [] } }

    func submitted(_ ids: [Hash256], due: [ContinuousClock.Instant]) {
        state.withLock { s in for (id, t) in zip(ids, due) { s.submittedAt[id] = t } }
    }

    func stopTiming() -> [Double] {
        state.withLock { s in
            s.timing = false
            s.submittedAt = [:]
            return s.latencies
        }
    }
}

/// `transform` over `items` on every core, in order.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> R) async -> [R] {
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunk = max(1, (items.count + workers - 1) / workers)
    return await withTaskGroup(of: (Int, [R]).self) { group in
        for start in stride(from: 0, to: items.count, by: chunk) {
            group.addTask { (start, items[start..<min(items.count, start + chunk)].map(transform)) }
        }
        var parts: [(Int, [R])] = []
        for await part in group { parts.append(part) }
        return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
