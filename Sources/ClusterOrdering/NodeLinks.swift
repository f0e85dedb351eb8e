import ChainPrimitives
import Synchronization

/// The peer links to the engines running the other nodes of the consortium, kept from their
/// announcements: where the platform sends what node routing gives to another organisation's node
/// (`ClusterNode`'s `NodeGateway`). While this engine seals, it also keeps when each node's engine was
/// last seen, to record down a node whose engine is gone.
final class NodeLinks: Sendable {
    private let links = Mutex<[String: PeerClient]>([:])
    /// Since when this engine holds the sealer's seat, and when it last saw each node's engine announced.
    let seen = Mutex<(since: ContinuousClock.Instant?, last: [String: ContinuousClock.Instant])>((nil, [:]))

    /// Set while a record of which nodes are up is on its way to the chain: one at a time.
    let recording = Mutex(false)

    /// How long a request for admission may go unanswered: a node's logic answers at once, so an engine
    /// that keeps it waiting longer is stopped or cut off.
    static let patience: Duration = .seconds(5)

    /// Links to the engines announced now (other than this one); a link to an engine that moved or left
    /// is dropped, and a request on it fails as not sent.
    func update(_ engines: [EnginePresence], genesis: Hash256, asking node: String, sign: @escaping @Sendable ([UInt8]) -> [UInt8]) {
        links.withLock { links in
            var next: [String: PeerClient] = [:]
            for engine in engines {
                guard let host = engine.peerHost, let port = engine.peerPort else { continue }
                if let kept = links[engine.node], kept.host == host, kept.port == port {
                    next[engine.node] = kept
                } else {
                    next[engine.node] = PeerClient(sealer: engine.node, host: host, port: port, genesis: genesis, node: node,
                                                   patience: Self.patience, sign: sign)
                }
            }
            links = next
        }
    }

    func link(to node: String) -> PeerClient? { links.withLock { $0[node] } }
}
