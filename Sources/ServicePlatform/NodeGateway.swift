import ChainModel

/// Where the platform sends a transaction that node routing gives to a node this engine does not run:
/// to the engine of the organisation that runs it, whose node logic admits it or not (claim 6 across
/// machines). A single engine runs every node itself, and has none.
public protocol NodeGateway: Sendable {
    /// The node this engine runs.
    var localNode: String { get }
    /// Asks the engine running `node` to admit `txs` with its node logic: for each, nil when admitted or
    /// the reason it was refused; nil altogether when no engine of `node` answered.
    func admit(_ txs: [Transaction], at node: String) async -> [String?]?
}
