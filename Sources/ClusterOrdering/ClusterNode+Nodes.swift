import ChainModel
import GovernanceAPI
import Logging
import Rollout
import ServicePlatform

// Node routing across machines (claim 6): which nodes are up, as the chain records it for routing,
// and the way to the engine of each other node, for admission.
extension ClusterNode: NodeGateway {
    public var localNode: String { node }

    public func admit(_ txs: [Transaction], at node: String) async -> NodeAdmission {
        guard let link = nodes.link(to: node) else { return .noEngine }
        // Another organisation's words, on their way to a terminal.
        switch await link.admit(txs, at: node) {
        case let .success(answers): return .answered(answers.map { $0.map { TerminalText.escaped($0) } })
        case let .failure(failure) where failure.refused: return .refused(TerminalText.escaped(failure.description))
        case let .failure(failure): return .unreachable(TerminalText.escaped(failure.description))
        }
    }

    /// Notes which engines are announced now and, while this engine seals, hands what to record to a
    /// task off the announcing loop, one at a time: a record waits for its block, which may take longer
    /// than the loop may.
    func recordAvailabilityInBackground(sealing: Bool, engines: [EnginePresence], logger: Logger) {
        let changes = availabilityChanges(sealing: sealing, engines: engines)
        guard !changes.isEmpty, let platform = platform.withLock({ $0 }),
              nodes.recording.withLock({ busy in defer { busy = true }; return !busy }) else { return }
        Task {
            await record(changes, through: platform, logger: logger)
            nodes.recording.withLock { $0 = false }
        }
    }

    /// What the chain's record of which nodes are up should say, as this engine sees etcd now: its own
    /// node up, when the chain has it down; and, while this engine seals, down for a node whose engine
    /// stopped announcing itself (its lease ran out: six seconds of silence, and a second more here) or
    /// never announced itself in a lease's time since this engine first looked. Every engine keeps
    /// when it last saw each, so one that takes the seat from a sealer that died knows it is gone.
    func availabilityChanges(sealing: Bool, engines: [EnginePresence]) -> [(node: String, online: Bool)] {
        let state = chain.committed
        let now = ContinuousClock.now
        let present = Set(engines.map(\.node)).union([node])
        let gone: [String] = nodes.seen.withLock { seen in
            let since = seen.since ?? now
            seen.since = since
            for n in present { seen.last[n] = now }
            guard sealing else { return [] }
            return state.nodes.filter { record in
                guard record.online, !present.contains(record.name) else { return false }
                let last = seen.last[record.name]
                return now - (last ?? since) >= (last == nil ? .seconds(EnginePresence.leaseSeconds) : .seconds(1))
            }.map(\.name)
        }
        var changes = gone.map { (node: $0, online: false) }
        if state.nodes.first(where: { $0.name == node })?.online == false { changes.insert((node, true), at: 0) }
        return changes
    }

    /// Records each change on chain, signed by this engine's node. Through `ServicePlatform.record`: not
    /// admitted at the node routing picks, which may be the very node recorded down.
    private func record(_ changes: [(node: String, online: Bool)], through platform: ServicePlatform, logger: Logger) async {
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
