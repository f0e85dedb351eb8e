import ChainModel
import EmbeddedChain
import Rollout

/// The blockchain service platform (claim 3): the only way in to the chain. It accepts signed
/// transactions, forwards each to a node chosen by its routing policy, and pushes what the chain
/// commits back out to every subscriber.
public actor ServicePlatform {
    public nonisolated let chain: Chain
    private let router: any NodeRouter

    public init(chain: Chain, router: any NodeRouter = LogicVersionRouter()) {
        self.chain = chain
        self.router = router
    }

    /// The node the routing policy sends `tx` to. The policy itself is switched by management
    /// transactions and recorded on chain, so the platform reads it from there.
    public func node(for tx: Transaction) async -> String {
        let (fleet, policy) = await chain.routingInputs
        return router.route(tx, fleet: fleet, policy: policy)
    }

    /// Forwards a transaction to its node and returns the receipt once its block is durable.
    public func submit(_ tx: Transaction) async throws -> Receipt {
        try await chain.submit(tx, via: await node(for: tx))
    }

    /// Forwards many transactions at once: their signatures are checked in parallel on every core,
    /// before ordering, then the chain orders, executes and commits them in as few blocks as it can.
    /// Batches reach the chain in the order they reached the platform, however long each one's checks
    /// take, so a sender's consecutive nonces in consecutive batches stay in order. Results come back in
    /// submission order.
    public func submit(batch txs: [Transaction]) async -> [Result<Receipt, any Error>] {
        guard !txs.isEmpty else { return [] }
        let ticket = nextTicket
        nextTicket += 1
        let members = await chain.members
        let checks = await Task.detached { SignatureCheck.verify(txs, members: members) }.value
        await turn(ticket)
        let (fleet, policy) = await chain.routingInputs
        let batch = txs.indices.map { i in
            Chain.Submission(tx: txs[i], node: router.route(txs[i], fleet: fleet, policy: policy), check: checks[i])
        }
        let queued = await chain.enqueue(batch: batch)
        handOver(ticket)
        return await chain.results(of: queued)
    }

    private var nextTicket: UInt64 = 0
    private var serving: UInt64 = 0
    private var waitingTurn: [UInt64: CheckedContinuation<Void, Never>] = [:]

    /// Waits until every batch that arrived before `ticket` has been handed to the chain.
    private func turn(_ ticket: UInt64) async {
        guard ticket != serving else { return }
        await withCheckedContinuation { waitingTurn[ticket] = $0 }
    }

    private func handOver(_ ticket: UInt64) {
        serving = ticket + 1
        waitingTurn.removeValue(forKey: serving)?.resume()
    }

    /// The receipt the transaction would get, or the error it would be refused with, without committing it.
    public func dryRun(_ tx: Transaction) async throws -> Receipt {
        try await chain.dryRun(tx, via: await node(for: tx))
    }

    /// Committed blocks from `height` on, then live: the push channel for tally results and every other event.
    public func blocks(from height: UInt64 = 0) async -> AsyncStream<Block> {
        await chain.subscribe(from: height)
    }

    /// The same stream, flattened to events.
    public func events(from height: UInt64 = 0) async -> AsyncStream<RecordedEvent> {
        let blocks = await chain.subscribe(from: height)
        let (stream, continuation) = AsyncStream<RecordedEvent>.makeStream()
        let pump = Task {
            for await block in blocks {
                for e in block.events { continuation.yield(e) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }
}
