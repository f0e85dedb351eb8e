import ChainModel
import GovernanceAPI
import Logging
import Rollout
import ServicePlatform

// Node routing across machines (claim 6): which nodes are up, as the chain records it for routing,
// and the way to the engine of each other node, for admission.
extension ClusterNode: NodeGateway {
    public var localNode: String { node }

    public func admit(_ txs: [Transaction], at node: String) async -> [String?]? {
        guard let link = nodes.link(to: node), case let .success(answers) = await link.admit(txs, at: node) else { return nil }
        // Another organisation's words, on their way to a terminal.
        return answers.map { $0.map { TerminalText.escaped($0) } }
    }

    /// Runs `recordAvailability` off the announcing loop, one at a time: a record waits for its block,
    /// which may take longer than the lease the loop keeps alive.
    func recordAvailabilityInBackground(sealing: Bool, engines: [EnginePresence], logger: Logger) {
        guard nodes.recording.withLock({ busy in defer { busy = true }; return !busy }) else { return }
        Task {
            await recordAvailability(sealing: sealing, engines: engines, logger: logger)
            nodes.recording.withLock { $0 = false }
        }
    }

    /// Keeps the chain's record of which nodes are up true to the engines announced in etcd: this engine
    /// records its own node up when the chain has it down, and the sealer records down a node whose
    /// engine has stopped announcing itself (its lease ran out: six seconds of silence), or never
    /// announced itself in a lease's time since this engine took the seat. Node routing then passes over
    /// it, and routes to it again once its engine is back and has recorded itself up.
    func recordAvailability(sealing: Bool, engines: [EnginePresence], logger: Logger) async {
        guard let platform = platform.withLock({ $0 }) else { return }
        let state = chain.committed
        let now = ContinuousClock.now
        let present = Set(engines.map(\.node)).union([node])
        let gone: [String] = nodes.seen.withLock { seen in
            guard sealing else {
                seen = (nil, [:])
                return []
            }
            let since = seen.since ?? now
            seen.since = since
            for n in present { seen.last[n] = now }
            return state.nodes.filter { record in
                guard record.online, !present.contains(record.name) else { return false }
                // One whose presence was seen lapsed after a lease of silence already; one never seen gets a lease to come.
                let last = seen.last[record.name]
                return now - (last ?? since) >= (last == nil ? .seconds(EnginePresence.leaseSeconds) : .seconds(1))
            }.map(\.name)
        }
        var changes = gone.map { (node: $0, online: false) }
        if state.nodes.first(where: { $0.name == node })?.online == false { changes.insert((node, true), at: 0) }
        for change in changes {
            guard let tx = chain.transaction(from: node, .setNodeAvailability(node: change.node, online: change.online)) else { return }
            switch await platform.record(tx) {
            case .success:
                if change.online {
                    logger.notice("recorded \(node) up: node routing sends it its share of transactions again")
                } else {
                    logger.notice("recorded \(change.node) down: no engine of it announced itself in \(EnginePresence.leaseSeconds) s; node routing passes over it until it is back")
                }
            case let .failure(error):
                logger.debug("recording \(change.node) \(change.online ? "up" : "down") failed: \(error)")
            }
        }
    }
}
