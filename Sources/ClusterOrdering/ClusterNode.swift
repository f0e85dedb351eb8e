import ChainModel
import ChainPrimitives
import EmbeddedChain
import EtcdClient
import Foundation
import GovernanceAPI
import Logging
import ServicePlatform
import Synchronization

/// One organisation's engine in a consortium that keeps one ledger through etcd: its chain seals blocks
/// as this node and places them in the shared order (`EtcdBlockOrder`), takes everyone's entries back
/// (`OrderFollower`), and announces itself to the other engines (`EnginePresence`).
public final class ClusterNode: Sendable {
    /// etcd refuses a request over 1.5 MiB (`--max-request-bytes`); a block and its request's framing
    /// stay under it.
    public static let defaultMaxEntryBytes = 1_400_000
    /// Entries of the order the sealer keeps in etcd behind its own position (and behind every engine
    /// present): older ones are deleted, and an engine that needs them takes their blocks from a peer.
    public static let defaultRetainEntries = 10_000

    public let node: String
    public let endpoints: [String]
    let client: EtcdClient
    let keys: OrderKeys
    let chain: Chain
    let ledger: String
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// The last checkpoint block taken and its state root.
    private let checkpoint = Mutex<(height: UInt64, root: Hash256)>((0, .zero))
    private let lease = Mutex<Int64?>(nil)
    /// When the announcing loop last put this engine's presence: the lease is kept alive only while it
    /// goes on, so an engine stuck (its disk, its chain) lets its seat go to another.
    private let announced = Mutex(ContinuousClock.now)
    /// Set once this engine serves forwarded transactions (`sealForwarded`): from then on it runs for the
    /// sealer's seat, and forwards to whoever holds it.
    private let peer = Mutex<(listener: PeerListener, seat: SealerSeat, follower: SealerFollower)?>(nil)
    /// The node holding the sealer's seat, as last read.
    private let sealer = Mutex<String?>(nil)
    /// The position below which this engine last trimmed the order.
    private let trimmedTo = Mutex<UInt64>(1)
    /// Links to the engines of the other nodes, for admission (`NodeGateway`), and, while this engine
    /// seals, when each node's engine was last seen announcing itself.
    let nodes = NodeLinks()

    /// Joins the order: from now on `chain` seals as `node` and takes the order's entries. etcd need not
    /// be reachable yet; until it is, writes are refused and reads are served.
    public static func start(chain: Chain, as node: String, endpoints: [String], ledger: String, maxEntryBytes: Int = defaultMaxEntryBytes,
                             retainEntries: Int = defaultRetainEntries, logger: Logger = Logger(label: "govconsole.cluster")) async throws -> ClusterNode {
        let client = try EtcdClient(endpoints: endpoints)
        let keys = OrderKeys(genesis: chain.genesisHash)
        try await chain.orderBlocks(through: EtcdBlockOrder(client: client, keys: keys, maxEntryBytes: maxEntryBytes), as: node, from: OrderPosition.read(ledger: ledger))
        let cluster = ClusterNode(node: node, endpoints: endpoints, client: client, keys: keys, chain: chain, ledger: ledger,
                                  retainEntries: max(1, retainEntries))
        await cluster.trackCheckpoints()
        let follower = OrderFollower(client: client, keys: keys, chain: chain, node: node, logger: logger)
        cluster.tasks.withLock {
            $0.append(Task {
                await cluster.markGenesis(logger: logger)
                await follower.run()
            })
            $0.append(Task { await cluster.announce(logger: logger) })
        }
        return cluster
    }

    let retainEntries: Int

    private init(node: String, endpoints: [String], client: EtcdClient, keys: OrderKeys, chain: Chain, ledger: String, retainEntries: Int) {
        self.retainEntries = retainEntries
        self.node = node
        self.endpoints = endpoints
        self.client = client
        self.keys = keys
        self.chain = chain
        self.ledger = ledger
    }

    /// Position 0 of the order holds the genesis hash, so position 1 has a predecessor to require.
    private func markGenesis(logger: Logger) async {
        while !Task.isCancelled {
            do {
                switch try await client.append(keys.entry(0), value: chain.genesisHash.bytes, after: nil) {
                case .created, .predecessorMissing: return
                case let .taken(kv):
                    if kv.value != chain.genesisHash.bytes { logger.critical("etcd's entry 0 of this order is not this consortium's genesis hash; the order was written by hand") }
                    return
                }
            } catch {
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func trackCheckpoints() async {
        let height = chain.committed.height
        let last = height / BlockHeader.stateRootInterval * BlockHeader.stateRootInterval
        if last > 0, let block = try? await chain.block(at: last) { checkpoint.withLock { $0 = (last, block.header.stateRoot) } }
        let blocks = await chain.subscribe(from: height + 1)
        tasks.withLock {
            $0.append(Task { [self] in
                for await block in blocks where BlockHeader.isCheckpoint(block.height) {
                    checkpoint.withLock { $0 = (block.height, block.header.stateRoot) }
                }
            })
        }
    }

    /// Serves the peer link on `host:port` (port 0: any free one): seals what other engines forward to
    /// `platform` when this engine holds the sealer's seat, and admits what they route to this node.
    /// From then on the platform sends what routing gives to other nodes to their engines, and from the
    /// next announcement on this engine runs for the sealer's seat. Returns the port bound.
    @discardableResult
    public func serve(_ platform: ServicePlatform, on host: String, port: Int, logger: Logger) async throws -> Int {
        let listener = try await PeerListener.bind(host: host, port: port, chain: chain, admit: { await platform.enqueue(forwarded: $0) },
                                                   admitAtNode: { [node] txs, asked in
                                                       guard asked == node else { return txs.map { _ in "this engine runs \(node), not \(asked)" } }
                                                       return platform.admitForPeer(txs, at: node)
                                                   }, logger: logger)
        let me = SealerSeat(node: node, host: host, port: listener.port)
        let follower = SealerFollower(me: me, chain: chain, sign: { [chain, node] in chain.sign($0, as: node) ?? [] })
        self.platform.withLock { $0 = platform }
        await platform.connect(self)
        peer.withLock { $0 = (listener, me, follower) }
        return listener.port
    }

    /// The platform this engine serves, once `serve` ran.
    let platform = Mutex<ServicePlatform?>(nil)

    /// Every second: the engine's presence, on a lease kept alive by the announcing itself, and its
    /// position beside the ledger.
    private func announce(logger: Logger) async {
        // The lease is kept alive on a loop of its own: what the presence says waits on the chain, and the
        // seat and the other engines on etcd, any of which may be slow on a loaded machine; a lease kept
        // only between those lapsed, and the seat moved for nothing.
        let keeping = Task { await keepLeaseAlive() }
        defer { keeping.cancel() }
        while !Task.isCancelled {
            do {
                let id: Int64
                if let held = lease.withLock({ $0 }) {
                    id = held
                } else {
                    id = try await client.grantLease(ttlSeconds: EnginePresence.leaseSeconds)
                    lease.withLock { $0 = id }
                }
                let presence = await presence()
                OrderPosition.write(presence.position, ledger: ledger)
                try await presence.put(client, keys: keys, lease: id)
                announced.withLock { $0 = .now }
                if let (_, me, follower) = peer.withLock({ $0 }) {
                    let (seat, since) = try await SealerSeat.claim(me, client: client, keys: keys, lease: id)
                    // Named only once the forwarder is installed: `status` naming the sealer means this
                    // engine's next batch goes to it (a vote sent in between was sealed here, which a
                    // test that waits for the named sealer caught).
                    await follower.follow(seat, since: since)
                    sealer.withLock { $0 = seat?.node }
                    // Read apart from the lease's keeping: a failed read must not cost this engine its lease.
                    if let engines = try? await EnginePresence.all(client, keys: keys) {
                        nodes.update(engines.filter { $0.node != node }, genesis: chain.genesisHash, asking: node,
                                     sign: { [chain, node] in chain.sign($0, as: node) ?? [] })
                        recordAvailabilityInBackground(sealing: seat == me, engines: engines, logger: logger)
                        if seat == me { await trim(below: presence.position, engines: engines, logger: logger) }
                    }
                }
            } catch {
                if Self.leaseIsGone(error) { lease.withLock { $0 = nil } }
                logger.debug("announcing \(node) failed: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Every second, keeps the lease this engine's presence and seat live on, while the announcing loop
    /// shows progress within two leases; one etcd no longer knows (it ran out while etcd was unreachable,
    /// or was let go) is dropped, and the announcing loop takes a new one.
    private func keepLeaseAlive() async {
        while !Task.isCancelled {
            let progressing = ContinuousClock.now - announced.withLock { $0 } < .seconds(2 * EnginePresence.leaseSeconds)
            if progressing, let id = lease.withLock({ $0 }) {
                do {
                    _ = try await client.keepAlive(lease: id)
                } catch {
                    if Self.leaseIsGone(error) { lease.withLock { if $0 == id { $0 = nil } } }
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    static func leaseIsGone(_ error: any Error) -> Bool {
        switch error as? EtcdError {
        case .leaseNotFound: true
        case let .server(_, message): message.contains("lease not found")
        default: false
        }
    }

    private func presence() async -> EnginePresence {
        let state = chain.committed
        let cp = checkpoint.withLock { $0 }
        let halted = await chain.haltReason
        let doubt = await chain.orderInDoubt
        let problem = halted ?? doubt.map { "no answer from etcd about a block: \($0)" }
        let link = peer.withLock { $0?.seat }
        return EnginePresence(node: node, height: state.height, head: state.head.hex, position: await chain.orderPosition,
                              checkpoint: cp.height, checkpointRoot: cp.root.hex, seen: WallClock.now(), problem: problem,
                              peerHost: link?.host, peerPort: link?.port)
    }

    /// Deletes the order's entries that every engine present has taken and that are more than
    /// `retainEntries` behind `position`. Entry 0 (the genesis hash) and the last entry (which the next
    /// append requires) stay. etcd frees their space once its history is compacted, which is the
    /// operator's to set (`--auto-compaction-retention`): compacting from here would cut short the
    /// watches of everyone else sharing that etcd. Run by the sealer only; a second engine doing it too
    /// would only repeat deletes.
    private func trim(below position: UInt64, engines: [EnginePresence], logger: Logger) async {
        guard position > UInt64(retainEntries) else { return }
        do {
            let cut = min(engines.map(\.position).min() ?? position, position - UInt64(retainEntries))
            guard cut > trimmedTo.withLock({ $0 }) else { return }
            let deleted = try await client.deleteRange(from: keys.entry(1), to: keys.entry(cut))
            trimmedTo.withLock { $0 = cut }
            if deleted > 0 {
                logger.info("deleted \(deleted) entries of the order below position \(cut) from etcd; engines that need them take their blocks from a peer")
            }
        } catch {
            logger.debug("trimming the order failed: \(error)")
        }
    }

    /// What this engine knows of the others and of etcd now.
    public func status() async -> ClusterView {
        let me = await presence()
        // A member's own copy: status answers at once while etcd has no quorum, when it matters most.
        var engines = ((try? await EnginePresence.all(client, keys: keys, local: true)) ?? []).filter { $0.node != node }
        engines.append(me)
        engines.sort { $0.node < $1.node }
        let members = await client.status()
        let etcd = members.map { m in
            switch m.report {
            case let .success(r): ClusterView.EtcdMemberView(endpoint: m.endpoint, reachable: true, isLeader: r.isLeader, error: r.errors.first)
            case let .failure(e): ClusterView.EtcdMemberView(endpoint: m.endpoint, reachable: false, isLeader: false, error: "\(e)")
            }
        }
        let refused = await chain.refusedEntries
        let views = engines.map(\.view)
        let problem = me.problem ?? (etcd.contains(where: \.reachable) ? nil : "etcd unreachable at \(endpoints.joined(separator: ", ")): writes are refused, reads are served from the local ledger")
        return ClusterView(node: node, position: me.position, engines: views, etcd: etcd, leader: etcd.first(where: \.isLeader)?.endpoint,
                           checkpointsAgree: ClusterView.agree(views), refusedEntries: refused.count, lastRefused: refused.last,
                           problem: problem, sealer: sealer.withLock { $0 }, forwardingProblem: await chain.forwardingFailed)
    }

    /// Stops following and announcing; the position is kept for the next start.
    public func close() async {
        let running = tasks.withLock { t in defer { t = [] }; return t }
        for t in running { t.cancel() }
        for t in running { await t.value }
        if let listener = peer.withLock({ $0?.listener }) { await listener.close() }
        // The platform holds this node as its gateway: letting go of it here breaks that cycle.
        platform.withLock { $0 = nil }
        OrderPosition.write(await chain.orderPosition, ledger: ledger)
        // Revoked so the others see this engine leave now, not when its lease runs out; but a stop does not
        // wait on an etcd that does not answer.
        if let id = lease.withLock({ $0 }) {
            let revoke = Task { [client] in try? await client.revoke(lease: id) }
            let patience = Task { try? await Task.sleep(for: .seconds(1)); revoke.cancel() }
            await revoke.value
            patience.cancel()
        }
        await client.shutdown()
    }
}
