import EmbeddedChain

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
        let state = await chain.state
        return router.route(tx, fleet: state.nodes, policy: state.management.nodeRouting)
    }

    /// Forwards a transaction to its node and returns the receipt once its block is durable.
    public func submit(_ tx: Transaction) async throws -> Receipt {
        try await chain.submit(tx, via: await node(for: tx))
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

    public var state: ChainState { get async { await chain.state } }
}
