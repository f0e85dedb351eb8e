import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import ServicePlatform

/// A consortium of `scale.voters` voters on a real ledger, driven through the service platform with
/// votes signed by their own keys.
final class VoteBench: @unchecked Sendable {
    let dir: DataDirectory
    let scale: Scale
    let progress: Progress
    var engine: GovernanceEngine
    let voters: [(name: String, key: SigningKey)]
    let genesisHash: Hash256
    /// The next nonce of each voter, and of the admins.
    var nonces: [Int]
    var adminNonce: [String: UInt64] = ["ops": 1, "ops2": 1]
    let adminKeys: [String: SigningKey]
    let deliveries = Deliveries()
    private var subscriber: Task<Void, Never>?
    /// Votes signed for the verification ceiling, which then count as the first round of the vote load.
    var pendingFirstRound: [Transaction]?
    /// Called once a step's proposals are made, before its votes are signed: the cluster search waits
    /// there until every engine has taken them.
    var proposed: (@Sendable () async -> Void)?
    /// What the verification ceiling verifies, kept to measure it again after the load.
    var ceilingWork: [(key: PublicKey, message: [UInt8], signature: [UInt8])] = []

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

    /// The subscriber the events are delivered to: it counts `TallyUpdated`.
    private func subscribe() async {
        let from = await engine.status().height + 1
        let blocks = await engine.platform.blocks(from: from)
        let deliveries = self.deliveries
        subscriber = Task {
            for await block in blocks {
                var tallies = 0
                for receipt in block.receipts {
                    for case .governance(.tallyUpdated) in receipt.events { tallies += 1 }
                }
                deliveries.delivered(tallies)
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

    /// Cancels the proposals a step voted on that are still open once the step is over: a search opens a
    /// dozen a step, and a proposer may hold at most 100 open. Closed ones (every vote in) are left out:
    /// one refused cancel would leave a nonce gap that refuses every cancel after it in the batch.
    func cancel(_ ids: [UInt64], as admin: String) async {
        let state = await engine.chainState()
        let open = ids.filter { state.management.proposal($0)?.status(at: state.time) == .voting }
        guard !open.isEmpty else { return }
        _ = await engine.platform.submit(batch: adminTransactions(admin, open.map { .cancel(proposal: $0) }))
        // Whatever was refused left its nonce unused.
        adminNonce[admin] = await engine.chainState().nextNonce(of: admin)
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

    /// One contract call from each voter (or the first `count`), at their next nonces.
    func calls(count: Int? = nil, _ make: (Int) -> ContractCall) -> [Transaction] {
        (0..<(count ?? voters.count)).map { i in
            defer { nonces[i] += 1 }
            return Transaction.signed(chain: genesisHash, sender: voters[i].name, nonce: UInt64(nonces[i]), lane: .production,
                                      payload: .call(make(i)), key: voters[i].key)
        }
    }

    /// Closes the engine, leaving its ledger to copy.
    func close() async {
        subscriber?.cancel()
        await engine.close()
    }

    /// Closes the engine and times opening the ledger again until the engine is ready.
    func coldStart() async throws -> Double {
        let count = await engine.chainState().transactionCount
        await close()
        progress.say("reopening a ledger of \(count) transactions")
        let started = ContinuousClock.now
        engine = try await GovernanceEngine.open(at: dir)
        let took = (ContinuousClock.now - started).seconds
        await engine.close()
        return took
    }
}
