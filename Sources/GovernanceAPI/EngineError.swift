import ChainPrimitives
import Governance


/// Refusals the engine makes itself before anything reaches the chain.
public enum EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownIdentity(String, known: [String])
    case unknownChoice(String)
    case invalidConsortium(String)
    /// Claim 2: the engine checks its permission registry before it sends a management request.
    case permissionMissing(proposal: UInt64, holder: String, state: PermissionState, status: ProposalStatus)
    case callFailed(contract: String, version: String, reason: String)
    case invalidTraffic(String)
    /// `serve --node` on a data directory `join` made for another node, or for another consortium.
    case joinedAsAnotherNode(directory: String, joined: String, asked: String)
    case joinedAnotherConsortium(directory: String)
    /// A joined directory opened to write without `--node`: it holds one node's key and orders through etcd.
    case joinedNeedsCluster(directory: String, node: String)
    /// The peer link could not listen where it was told to.
    case peerListen(address: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownIdentity(name, known):
            "unknown identity '\(name)'; use --as with one of: \(known.joined(separator: ", "))"
        case let .unknownChoice(word):
            "unknown choice '\(word)'; vote approve, reject or abstain"
        case let .invalidConsortium(reason):
            reason
        case let .callFailed(contract, version, reason):
            "the call would fail in \(contract) \(version): \(reason); nothing was written"
        case let .joinedAsAnotherNode(dir, joined, asked):
            "\(dir) was joined as \(joined), not \(asked); run it with --node \(joined), or join again as \(asked) into another directory"
        case let .joinedNeedsCluster(dir, node):
            "\(dir) belongs to \(node) of a cluster: run 'govconsole serve --data \(dir) --node \(node) --etcd URL[,URL…]' and attach to it"
        case let .peerListen(address, reason):
            "cannot take forwarded transactions on \(address) (\(reason)); pass --peer HOST:PORT with a free port on an address of this machine"
        case let .joinedAnotherConsortium(dir):
            "\(dir)/cluster.json names another consortium's genesis than its ledger's; join the consortium again into a new directory"
        case let .invalidTraffic(reason):
            reason
        case let .permissionMissing(p, holder, state, status):
            switch state {
            case .consumed: "proposal \(p) was already executed and its permission is used up; propose again to repeat it"
            case .expired: "the permission granted by proposal \(p) has expired; propose the operation again"
            case .granted: "the permission of proposal \(p) is not \(holder)'s; run it --as its holder"
            case .none: "proposal \(p) is \(status.rawValue), so \(holder) holds no permission for it; it must pass before it can be executed"
            }
        }
    }
}
