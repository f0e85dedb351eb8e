import ChainModel
import ChainPrimitives
import ClusterOrdering
import ContractRuntime
import DequeModule
import DurableStorage
import EmbeddedChain
import Foundation
import GovernanceAPI
import ServicePlatform
import Synchronization

/// The management system. It boots the chain and the service platform, checks and submits requests its
/// clients signed (`GovernanceClient`, in this process or through `govconsole serve`), keeps the
/// permission registry from pushed events, and answers queries. It holds no member's key: the chain signs
/// blocks with the nodes' keys.
public actor GovernanceEngine {
    public nonisolated let dataDirectory: DataDirectory
    /// The engine's only way to the chain, for requests and queries alike.
    public nonisolated let platform: ServicePlatform
    var registry = PermissionRegistry()
    private var registryWaiters: [(height: UInt64, resume: CheckedContinuation<Void, Never>)] = []
    private var listener: Task<Void, Never>?
    private var waitingForTurn = Deque<CheckedContinuation<Void, Never>>()
    /// The requests on their way to a block, under a lock so a vote is queued on its caller's task.
    nonisolated let book = Mutex(RequestBook())
    /// Each proposal's events, kept as blocks arrive, so a proposal's history never needs a ledger scan.
    var proposalEvents: [UInt64: [RecordedEvent]] = [:]
    static let eventsPerProposal = 500
    /// The first height whose events `proposalEvents` holds: everything from the engine's start on.
    var indexedFrom: UInt64 = 1
    /// Proposals whose earlier events have been read from the ledger into `proposalEvents`.
    var historyLoaded: Set<UInt64> = []
    var historyLoading: [UInt64: Task<Void, any Error>] = [:]

    /// Set when this engine keeps the ledger with other organisations' engines through etcd.
    public nonisolated let cluster: ClusterNode?

    /// Problems the chain repaired on open; worth showing once.
    public nonisolated var warnings: [String] { platform.warnings }

    private init(dataDirectory: DataDirectory, platform: ServicePlatform, cluster: ClusterNode? = nil) {
        self.dataDirectory = dataDirectory
        self.platform = platform
        self.cluster = cluster
    }

    /// Creates a new consortium: a key for every identity and a genesis block. Refuses to replace an
    /// existing chain unless `force` is set.
    /// `keys` makes each identity's key; tests pass a deterministic one so that screens repeat exactly.
    public static func create(at dir: DataDirectory, consortium: Consortium, force: Bool = false,
                              clock: @escaping ChainClock = WallClock.now,
                              keys: (String) -> SigningKey = { _ in SigningKey() }) async throws -> GovernanceEngine {
        if let problem = consortium.problem { throw EngineError.invalidConsortium(problem) }
        // A directory that already exists keeps its mode: refuse now what every later open would refuse.
        try Keystore.checkNotWritableByOthers(dir.path)
        if Chain.exists(at: dir.ledger) {
            guard force else { throw LedgerError.exists(directory: dir.path) }
            try await Chain.remove(at: dir.ledger)
            try? FileManager.default.removeItem(atPath: dir.keys)
        }
        let keystore = Keystore(directory: dir.keys)
        do {
            // Owner-only, like the keys inside it: a directory others can write is refused on open.
            try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw LedgerError.io("cannot create \(dir.path): \(error.localizedDescription)")
        }
        var members: [Member] = []
        for seat in consortium.seats {
            let key = keys(seat.name)
            try keystore.store(key, for: seat.name)
            members.append(Member(name: seat.name, role: seat.role, weight: seat.role == .voter ? seat.weight : 0, publicKey: key.publicKey))
        }
        for node in consortium.nodes {
            let key = keys(node.name)
            try keystore.store(key, for: node.name)
            members.append(Member(name: node.name, role: .node, weight: 0, publicKey: key.publicKey))
        }
        let contracts = try consortium.contracts.map { c in
            Genesis.GenesisContract(name: c.name, versions: try c.versions.map {
                Genesis.GenesisContract.Version(version: $0.version, code: try ContractCode.compile(Array($0.source.utf8)))
            })
        }
        let genesis = Genesis(name: consortium.name, time: clock(), policy: consortium.policy, members: members,
                              nodes: consortium.nodes, contracts: contracts)
        let chain = try await Chain.created(at: dir.ledger, genesis: genesis, keystore: keystore, clock: clock)
        return await GovernanceEngine(dataDirectory: dir, platform: await ServicePlatform.started(on: chain)).started()
    }

    /// Opens an existing consortium, verifying and replaying its ledger. A writer first refuses a data
    /// directory others can write, and loose keys (see `Chain.open`), before anything is written. A
    /// reader (`readOnly`, for queries) takes no lock, writes nothing and refuses every request.
    ///
    /// With `cluster`, the engine runs one organisation's node of a consortium whose engines keep one
    /// ledger through etcd (see `ClusterNode`): its data directory holds that node's key only.
    public static func open(at dir: DataDirectory, clock: @escaping ChainClock = WallClock.now,
                            readOnly: Bool = false, cluster: ClusterSettings? = nil) async throws -> GovernanceEngine {
        guard Chain.exists(at: dir.ledger) else { throw LedgerError.missing(directory: dir.path) }
        if !readOnly { try Keystore.checkNotWritableByOthers(dir.path) }
        let keystore = Keystore(directory: dir.keys)
        // A directory `join` made names the node it was made for.
        let membership = readOnly ? nil : try ClusterMembership.read(from: dir)
        if let membership {
            guard let cluster else { throw EngineError.joinedNeedsCluster(directory: dir.path, node: membership.node) }
            guard membership.node == cluster.node else {
                throw EngineError.joinedAsAnotherNode(directory: dir.path, joined: membership.node, asked: cluster.node)
            }
        }
        let chain = try await Chain.opened(at: dir.ledger, keystore: keystore, clock: clock, readOnly: readOnly, signingAs: cluster?.node)
        if let membership, membership.genesis != chain.genesisHash {
            await chain.close()
            throw EngineError.joinedAnotherConsortium(directory: dir.path)
        }
        // The order is attached before the platform starts, so no block is ever sealed outside it.
        var node: ClusterNode?
        if let cluster, !readOnly {
            do {
                node = try await ClusterNode.start(chain: chain, as: cluster.node, endpoints: cluster.etcd, ledger: dir.ledger,
                                                  maxEntryBytes: cluster.maxEntryBytes, retainEntries: cluster.retainEntries, logger: cluster.logger)
            } catch {
                await chain.close()
                throw error
            }
        }
        let platform = await ServicePlatform.started(on: chain)
        if let node, let cluster {
            do {
                try await node.serve(platform, on: cluster.peerHost, port: cluster.peerPort, logger: cluster.logger)
            } catch {
                await node.close()
                await platform.close()
                throw EngineError.peerListen(address: "\(cluster.peerHost):\(cluster.peerPort)", reason: "\(error)")
            }
        }
        let engine = GovernanceEngine(dataDirectory: dir, platform: platform, cluster: node)
        return await engine.started()
    }

    private func started() async -> GovernanceEngine {
        // The registry starts from the permissions in the state and follows pushed blocks from there, so
        // a long ledger is not read again. Subscribe before returning so that no block is missed.
        let state = await platform.state()
        registry = PermissionRegistry(state.management, height: state.height)
        indexedFrom = state.height + 1
        let blocks = await platform.blocks(from: state.height + 1)
        listener = Task { [weak self] in
            for await block in blocks {
                await self?.record(block)
            }
        }
        return self
    }

    /// Stops listening to the platform. The ledger stays durable whether or not this is called.
    public func close() async {
        listener?.cancel()
        listener = nil
        for w in registryWaiters { w.resume.resume() }
        registryWaiters = []
        await cluster?.close()
        await platform.close()
    }

    private func record(_ block: Block) {
        registry.record(block)
        for e in block.events {
            guard let p = e.event.proposal else { continue }
            proposalEvents[p, default: []].append(e)
            // Trimmed in steps, not per event, so a busy proposal costs O(1) per event.
            if proposalEvents[p]!.count > 2 * Self.eventsPerProposal { proposalEvents[p]!.removeFirst(Self.eventsPerProposal) }
        }
        let ready = registryWaiters.filter { $0.height <= block.height }
        registryWaiters.removeAll { $0.height <= block.height }
        for w in ready { w.resume.resume() }
    }

    /// Waits until the registry has seen every block committed so far.
    func registryCaughtUp() async {
        let height = await platform.state().height
        guard registry.height < height else { return }
        await withCheckedContinuation { registryWaiters.append((height, $0)) }
    }

    /// How many requests wait for the turn: lets a test see a vote waiting behind a request.
    var turnWaiters: Int { waitingForTurn.count }

    /// Runs request checks one at a time, in arrival order, so each is checked after its predecessors
    /// were queued, a sender's nonces reach the producer in order, and a transaction sent again finds
    /// the first one queued or committed. The turn ends once a request is queued, not committed, so
    /// requests arriving while a block is written share the next block and its fsync.
    ///
    /// The turn is marked in the request book, where a vote queued outside the engine sees it; it passes
    /// from one holder to the next without being released in between.
    func serialized<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let taken = book.withLock { book in
            defer { book.turnTaken = true }
            return book.turnTaken
        }
        if taken {
            await withCheckedContinuation { waitingForTurn.append($0) }
        }
        defer {
            if let next = waitingForTurn.popFirst() { next.resume() } else { book.withLock { $0.turnTaken = false } }
        }
        return try await body()
    }

    public func now() async -> UInt64 { await platform.now() }
}
