import ChainModel
import ChainPrimitives
import EmbeddedChain
import Governance
import Synchronization

/// The blockchain service platform (claim 3): the only way in to the chain. It accepts signed
/// transactions, forwards each to the node its routing table chooses (claim 6), and pushes what the
/// chain commits back out to every subscriber. Its reads are in `ServicePlatform+Reads.swift`.
public actor ServicePlatform {
    /// A receipt and the height of the block it was sealed in.
    public typealias Sealed = Chain.Sealed

    /// Reached only through the platform; tests reach it with `@testable import`.
    nonisolated let chain: Chain
    /// The fleet and the node routing policy as of `table.height`, kept from committed blocks.
    private var table: NodeRoutingTable
    private var tableWaiters: [(height: UInt64, resume: CheckedContinuation<Void, Never>)] = []
    private var follower: Task<Void, Never>?
    /// False once the chain's stream has ended: nothing more will arrive to wait for.
    private var following = true
    private var nextTicket: UInt64 = 0
    private var serving: UInt64 = 0
    private var waitingTurn: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Set in a cluster: where transactions routed to other organisations' nodes are admitted.
    var gateway: (any NodeGateway)?
    /// Since when each node's announced engine has not answered a request for admission.
    var unanswering: [String: ContinuousClock.Instant] = [:]
    /// Transactions this engine's node admitted for other engines (`admitForPeer`).
    nonisolated let peerAdmissions = Atomic<Int>(0)

    private init(chain: Chain, table: NodeRoutingTable) {
        self.chain = chain
        self.table = table
    }

    /// Starts the platform on an open chain: the routing table starts from the state at open and follows
    /// every block committed after it.
    public static func started(on chain: Chain) async -> ServicePlatform {
        let state = await chain.state
        let platform = ServicePlatform(chain: chain, table: NodeRoutingTable(fleet: state.nodes, policy: state.management.nodeRouting,
                                                                              height: state.height))
        await platform.follow(from: state.height + 1)
        return platform
    }

    private func follow(from height: UInt64) async {
        let blocks = await chain.subscribe(from: height)
        follower = Task { [weak self] in
            for await block in blocks { await self?.follow(block) }
            await self?.stopFollowing()
        }
    }

    private func follow(_ block: Block) {
        table.record(block)
        let ready = tableWaiters.filter { $0.height <= block.height }
        tableWaiters.removeAll { $0.height <= block.height }
        for w in ready { w.resume.resume() }
    }

    /// The chain closed: nothing more will arrive, so nobody waits for it.
    private func stopFollowing() {
        following = false
        for w in tableWaiters { w.resume.resume() }
        tableWaiters = []
    }

    /// Waits until the routing table has seen every block committed so far.
    private func tableCaughtUp() async {
        let head = await state().height
        // Checked after the last suspension, so no block can arrive between the check and the wait.
        guard following, table.height < head else { return }
        await withCheckedContinuation { tableWaiters.append((head, $0)) }
    }

    /// The node the routing table sends `tx` to.
    public func node(for tx: Transaction) -> String { table.node(for: tx) }

    /// A copy of the routing table, taken on the actor. `table` itself is private: read from outside as
    /// `await platform.table.height`, it compiled to a modify access off the actor, which raced
    /// `follow` and crashed the test process.
    func routingTable() -> NodeRoutingTable { table }

    /// Forwards a transaction to its node and returns the receipt once its block is durable.
    public func submit(_ tx: Transaction) async throws -> Receipt {
        try await results(of: await enqueue([tx], verified: false))[0].get().receipt
    }

    /// Forwards many transactions at once: their signatures are checked in parallel on every core,
    /// before ordering, then the chain orders, executes and commits them in as few blocks as it can.
    /// Results come back in submission order.
    public func submit(batch txs: [Transaction]) async -> [Result<Receipt, any Error>] {
        guard !txs.isEmpty else { return [] }
        return await results(of: await enqueue(txs)).map { $0.map(\.receipt) }
    }

    /// Transactions handed to the chain's block producer, to wait on with `results(of:)`.
    public struct Queued: Sendable {
        fileprivate let txs: [Transaction]
        fileprivate let checks: [SignatureCheck?]
        fileprivate let refusingFailedCalls: Bool
        /// Whether those routed to other organisations' nodes were admitted there, and so are again
        /// when routed anew.
        fileprivate let admitting: Bool
        fileprivate let handed: Handed
    }

    /// What went to the chain, by index into the batch, and what was refused before it (at a node of
    /// another engine).
    fileprivate struct Handed: Sendable {
        let indices: [Int]
        let refused: [Int: any Error]
        let batch: Chain.QueuedBatch
    }

    /// Routes and queues transactions for the next block and returns at once. Batches reach the chain in
    /// the order they reached the platform, however long each one's signature checks take, so a sender's
    /// consecutive nonces in consecutive batches stay in order. Unless `verified` is false (one
    /// transaction, checked by the chain as it is admitted), signatures are checked here, in parallel.
    /// With `refusingFailedCalls`, a contract call that fails when sealed is refused with
    /// `TransactionRejection.callFailed` instead of recorded (calls made by hand).
    /// In a cluster, each transaction routed to another organisation's node is first admitted there (see
    /// `ServicePlatform+Nodes.swift`), unless `admitting` is false: transactions another engine forwarded
    /// to this one, the sealer, were admitted where they came in.
    public func enqueue(_ txs: [Transaction], verified: Bool = true, refusingFailedCalls: Bool = false,
                        admitting: Bool = true) async -> Queued {
        let ticket = takeTicket()
        var checks = [SignatureCheck?](repeating: nil, count: txs.count)
        if verified {
            // The members as of the last block, read without waiting for the chain's thread, which may be
            // sealing: a key changed since is checked again by the chain (`SignatureCheck` carries the key).
            let members = chain.committed.management.members
            checks = await Task.detached { SignatureCheck.verify(txs, members: members) }.value
        }
        let routes = admitting ? await admitAtRoutedNodes(txs) : nil
        return Queued(txs: txs, checks: checks, refusingFailedCalls: refusingFailedCalls, admitting: admitting,
                      handed: await hand(txs, checks: checks, routes: routes, refusingFailedCalls: refusingFailedCalls, ticket: ticket))
    }

    /// Queues transactions whose signatures the caller already checked (`checks`, one each, nil where it
    /// did not verify: the chain then checks it again and refuses it with the reason).
    public func enqueue(_ txs: [Transaction], checks: [SignatureCheck?], refusingFailedCalls: Bool = false) async -> Queued {
        let ticket = takeTicket()
        let routes = await admitAtRoutedNodes(txs)
        return Queued(txs: txs, checks: checks, refusingFailedCalls: refusingFailedCalls, admitting: true,
                      handed: await hand(txs, checks: checks, routes: routes, refusingFailedCalls: refusingFailedCalls, ticket: ticket))
    }

    /// Every result of a queued batch, in order: a receipt once its block is durable, or the error it was
    /// refused with. The chain refuses a transaction whose node the policy no longer picks, when the policy
    /// or the fleet changed between routing and sealing; such a transaction is routed again, once the
    /// table has caught up, and resubmitted, with any later one of its sender's in the batch that was
    /// refused only for the nonce it left unused. In a cluster the fleet can change again meanwhile (a
    /// node recorded down and back up as its engine's lease lapses), so this goes on a few times.
    public func results(of queued: Queued) async -> [Result<Sealed, any Error>] {
        var results = await results(of: queued.handed, count: queued.txs.count)
        var candidates = Array(queued.txs.indices)
        for _ in 0..<Self.maxReroutes {
            let again = Self.routedAgain(candidates.map { (queued.txs[$0], results[$0]) }).map { candidates[$0] }
            guard !again.isEmpty else { break }
            await tableCaughtUp()
            let ticket = takeTicket()
            let txs = again.map { queued.txs[$0] }
            let retry = await hand(txs, checks: again.map { queued.checks[$0] }, routes: queued.admitting ? await admitAtRoutedNodes(txs) : nil,
                                   refusingFailedCalls: queued.refusingFailedCalls, ticket: ticket)
            let retried = await self.results(of: retry, count: txs.count)
            for (i, result) in zip(again, retried) { results[i] = result }
            candidates = again
        }
        return results
    }

    /// How many times a transaction is routed again after the fleet or the policy changed under it: enough
    /// to ride out a node recorded down and up again, not so many as to chase a fleet that never settles.
    static let maxReroutes = 4

    /// The positions of those refused only because routing changed between routing and sealing: misrouted,
    /// and any later one of the same sender's refused for the nonce a misrouted one left unused.
    private static func routedAgain(_ outcomes: [(tx: Transaction, result: Result<Sealed, any Error>)]) -> [Int] {
        var again: [Int] = []
        var misrouted: Set<String> = []
        for (i, outcome) in outcomes.enumerated() {
            guard case let .failure(error) = outcome.result, let rejection = error as? TransactionRejection else { continue }
            switch rejection {
            case .misrouted:
                misrouted.insert(outcome.tx.sender)
                again.append(i)
            case .nonceGap where misrouted.contains(outcome.tx.sender):
                again.append(i)
            default:
                break
            }
        }
        return again
    }

    /// The chain's results of what was handed to it, with the refusals from before it, in batch order.
    private func results(of handed: Handed, count: Int) async -> [Result<Sealed, any Error>] {
        // Everything went to the chain: always so on a single engine, where every node is its own.
        guard !handed.refused.isEmpty else { return await chain.results(of: handed.batch) }
        var results = [Result<Sealed, any Error>?](repeating: nil, count: count)
        for (i, error) in handed.refused { results[i] = .failure(error) }
        for (i, result) in zip(handed.indices, await chain.results(of: handed.batch)) { results[i] = result }
        return results.map { $0! }
    }

    private func takeTicket() -> UInt64 {
        defer { nextTicket += 1 }
        return nextTicket
    }

    /// Hands the transactions to the chain, in the turn `ticket` holds: each at the node that admitted it
    /// (`routes`), or where the table routes it now; those refused at a node stay out.
    private func hand(_ txs: [Transaction], checks: [SignatureCheck?], routes: [Route]?, refusingFailedCalls: Bool,
                      ticket: UInt64) async -> Handed {
        await turn(ticket)
        var indices: [Int] = []
        var refused: [Int: any Error] = [:]
        var submissions: [Chain.Submission] = []
        for i in txs.indices {
            let node: String
            switch routes?[i] {
            case let .refused(error)?:
                refused[i] = error
                continue
            case let .node(admitted)?: node = admitted
            case nil: node = table.node(for: txs[i])
            }
            indices.append(i)
            submissions.append(Chain.Submission(tx: txs[i], node: node, check: checks[i], refusesFailedCall: refusingFailedCalls))
        }
        let queued = await chain.enqueue(batch: submissions)
        handOver(ticket)
        return Handed(indices: indices, refused: refused, batch: queued)
    }

    /// Waits until every batch that arrived before `ticket` has been handed to the chain.
    private func turn(_ ticket: UInt64) async {
        guard ticket != serving else { return }
        await withCheckedContinuation { waitingTurn[ticket] = $0 }
    }

    private func handOver(_ ticket: UInt64) {
        serving = ticket + 1
        waitingTurn.removeValue(forKey: serving)?.resume()
    }

    /// The receipt the transaction would get, or the error it would be refused with, without committing
    /// it. A table behind the committed state routes again once it has caught up, as `results` does.
    public func dryRun(_ tx: Transaction) async throws -> Receipt {
        do {
            return try await chain.dryRun(tx, via: table.node(for: tx))
        } catch .misrouted {
            await tableCaughtUp()
            return try await chain.dryRun(tx, via: table.node(for: tx))
        }
    }

    /// Stops following the chain and closes it; what was committed stays durable.
    public func close() async {
        await chain.close()
        follower?.cancel()
        follower = nil
        stopFollowing()
    }
}

extension ServicePlatform {
    /// Queues transactions another engine of the consortium forwarded (this engine holds the sealer's
    /// seat) as it queues its own clients': routed, checked and ordered the same way, behind every batch
    /// queued before. Returns at once; the function returned waits for one result each: the height of
    /// its block, or why it was refused.
    /// One sent again after its answer was lost is answered with the block it went into the first time:
    /// the producer looks every transaction up among those recently sealed (`RecentlySealed`).
    public func enqueue(forwarded batch: [ForwardedTransaction]) async -> @Sendable () async -> [ForwardResult] {
        // Hand-made calls and generated traffic ask different things of a failed call: each run of one
        // kind goes in as one batch, in order.
        var queued: [Queued] = []
        var start = 0
        while start < batch.count {
            let kind = batch[start].refusesFailedCall
            let end = batch[start...].firstIndex { $0.refusesFailedCall != kind } ?? batch.count
            queued.append(await enqueue(batch[start..<end].map(\.tx), verified: true, refusingFailedCalls: kind, admitting: false))
            start = end
        }
        return { [queued] in
            var results: [ForwardResult] = []
            for q in queued {
                for result in await self.results(of: q) {
                    switch result {
                    case let .success(sealed): results.append(.sealed(height: sealed.height))
                    case let .failure(TransactionRejection.orderUnavailable(reason)): results.append(.orderUnavailable(reason))
                    case let .failure(TransactionRejection.blockTooLarge(bytes, limit)): results.append(.tooLarge(bytes: bytes, limit: limit))
                    case let .failure(error): results.append(.refused("\(error)"))
                    }
                }
            }
            return results
        }
    }
}
