import ChainPrimitives
import EtcdClient
import Foundation
import GovernanceAPI

/// What an engine announces about itself under `engines/<node>`, on a lease: an engine that stops
/// announcing disappears from everyone's status once its lease runs out.
struct EnginePresence: Codable, Sendable {
    let node: String
    let height: UInt64
    let head: String
    let position: UInt64
    let checkpoint: UInt64
    let checkpointRoot: String
    /// Milliseconds since 1970, on the announcing engine's clock.
    let seen: UInt64
    let problem: String?
    /// Where its peer link listens, for forwarding and for fetching blocks; nil before it does.
    var peerHost: String?
    var peerPort: Int?

    var view: ClusterView.EngineView {
        ClusterView.EngineView(node: node, height: height, head: head, position: position, checkpoint: checkpoint,
                               checkpointRoot: checkpointRoot, lastSeen: Date(milliseconds: seen), problem: problem)
    }

    /// Seconds an engine's presence outlives its last announcement.
    static let leaseSeconds: Int64 = 6

    func put(_ client: EtcdClient, keys: OrderKeys, lease: Int64) async throws {
        _ = try await client.put(keys.engine(node), Array(try JSONEncoder().encode(self)), lease: lease)
    }

    /// Every engine announced now; entries that do not decode (written by hand) are passed over. `local`
    /// reads one member's own copy (see `EtcdClient.range`): what status shows, even without a quorum.
    static func all(_ client: EtcdClient, keys: OrderKeys, local: Bool = false) async throws -> [EnginePresence] {
        let page = try await client.range(from: keys.engines, to: EtcdClient.prefixEnd(keys.engines), limit: 1000, local: local)
        return page.kvs.compactMap { try? JSONDecoder().decode(EnginePresence.self, from: Data($0.value)) }
    }
}
