import EmbeddedChain
import ChainModel
import ChainPrimitives
import Rollout

// Node routing across machines (claim 6): in a consortium whose organisations each run an engine for
// their own node, a transaction that routing gives to another organisation's node goes to that engine to
// be admitted by its node logic before it is ordered. The block then names that node in its receipt, and
// every engine, the sealer included, runs the same admission again when it executes the block, so no
// engine can slip past a node's logic what the node refused.
extension ServicePlatform {
    /// From now on, transactions routed to a node this engine does not run go to `gateway`.
    public func connect(_ gateway: any NodeGateway) {
        self.gateway = gateway
    }

    /// How long a transaction routed to a node whose engine is gone waits for that node to be recorded
    /// down (routing then passes over it) before it is refused. The sealer records a node down a second
    /// after its engine's presence lapsed, and a killed engine's presence lapses with its lease (6 s). An
    /// engine that is announced but does not answer (a wrong `--peer` address, a firewall) is waited for
    /// this long once; after that, what is routed to it is refused at once, so one such node does not
    /// hold every batch behind it.
    static let nodeDownPatience: Duration = .seconds(15)

    /// Where each transaction was admitted: the node routing picked, or why it was refused there. Nil
    /// without a gateway: the chain admits every transaction itself, at whichever node routing picks
    /// when it is handed over.
    func admitAtRoutedNodes(_ txs: [Transaction]) async -> [Route]? {
        guard let gateway else { return nil }
        var routes = [Route?](repeating: nil, count: txs.count)
        var pending = Array(txs.indices)
        let deadline = ContinuousClock.now + Self.nodeDownPatience
        var reasons: [String: String] = [:]
        while !pending.isEmpty {
            var byNode: [String: [Int]] = [:]
            for i in pending { byNode[node(for: txs[i]), default: []].append(i) }
            pending = []
            for (node, indices) in byNode.sorted(by: { $0.key < $1.key }) {
                // This engine's own node admits at the chain, as a single engine's nodes all do.
                guard node != gateway.localNode else {
                    for i in indices { routes[i] = .node(node) }
                    continue
                }
                func refuse(_ error: TransactionRejection) { for i in indices { routes[i] = .refused(error) } }
                switch await gateway.admit(indices.map { txs[$0] }, at: node) {
                case let .answered(answers) where answers.count == indices.count:
                    unanswering[node] = nil
                    for (i, answer) in zip(indices, answers) {
                        routes[i] = answer.map { .refused(TransactionRejection.refusedByNode(node: node, reason: $0)) } ?? .node(node)
                    }
                case .answered:
                    refuse(.refusedByNode(node: node, reason: "its engine answered for a different number of transactions"))
                case let .refused(reason):
                    unanswering[node] = nil
                    refuse(.refusedByNode(node: node, reason: reason))
                case .noEngine:
                    reasons[node] = "no engine of \(node) is announced"
                    pending += indices
                case let .unreachable(reason):
                    let since = unanswering[node] ?? .now
                    unanswering[node] = since
                    guard ContinuousClock.now - since < Self.nodeDownPatience else {
                        refuse(.nodeDown(node: node, reason: reason))
                        continue
                    }
                    reasons[node] = reason
                    pending += indices
                }
            }
            guard !pending.isEmpty else { break }
            // Routed again once the table changes (the node recorded down), or refused after a while.
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                for i in pending {
                    let node = node(for: txs[i])
                    routes[i] = .refused(TransactionRejection.nodeDown(node: node, reason: Task.isCancelled ? "the request was cancelled" : reasons[node] ?? "no answer"))
                }
                break
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return routes.map { $0! }
    }

    /// Admits transactions another engine routed to this engine's node, with the logic this node runs
    /// now: for each, nil or why its logic refuses it. The sender's signature and nonce are the chain's
    /// to check when the transaction is sealed, as for every transaction.
    public nonisolated func admitForPeer(_ txs: [Transaction], at node: String) -> [String?] {
        let state = chain.committed
        guard let record = state.nodes.first(where: { $0.name == node }), let logic = NodeLogics.named(record.logic) else {
            return txs.map { _ in "this engine does not run a node named \(node)" }
        }
        let answers = txs.map { tx -> String? in
            guard case let .call(call) = tx.payload else { return nil }
            do { try logic.admit(call, encodedSize: tx.encodedSize) } catch { return "\(error)" }
            return nil
        }
        peerAdmissions.add(answers.count { $0 == nil }, ordering: .relaxed)
        return answers
    }

    /// Hands a transaction of the platform's own bookkeeping (a node recorded up or down) to the chain at
    /// once, ahead of the batches waiting for their turn: one of them may be waiting for this very record.
    /// The chain admits it at whichever node routing picks now, without asking that node's engine: the
    /// node recorded down may be the one picked.
    public func record(_ tx: Transaction) async -> Result<Sealed, any Error> {
        let batch = await chain.enqueue(batch: [Chain.Submission(tx: tx, node: node(for: tx), check: nil, refusesFailedCall: false)])
        return await chain.results(of: batch)[0]
    }

    /// How many transactions this engine's node admitted for other engines since it started.
    public nonisolated var admittedForOthers: Int { peerAdmissions.load(ordering: .relaxed) }
}

/// Where one transaction goes: the node that admitted it, or why it was refused before the chain saw it.
enum Route {
    case node(String)
    case refused(any Error)
}
