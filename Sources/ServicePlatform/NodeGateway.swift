import ChainModel

/// Where the platform sends a transaction that node routing gives to a node this engine does not run:
/// to the engine of the organisation that runs it, whose node logic admits it or not (claim 6 across
/// machines). A single engine runs every node itself, and has none.
public protocol NodeGateway: Sendable {
    /// The node this engine runs.
    var localNode: String { get }
    /// Asks the engine running `node` to admit `txs` with its node logic.
    func admit(_ txs: [Transaction], at node: String) async -> NodeAdmission
}

/// What the engine of a node said to a request for admission.
public enum NodeAdmission: Sendable {
    /// One answer per transaction, in order: nil when its logic admits it, else the reason it does not.
    case answered([String?])
    /// The engine refused the request as a whole, for the reason given (an engine of another version,
    /// one that does not know the asking node yet): asking again will not help soon.
    case refused(String)
    /// The node has no engine announced: it stopped, or never started, and will be recorded down.
    case noEngine
    /// Its engine is announced, but the request got no answer, for the reason given.
    case unreachable(String)
}
