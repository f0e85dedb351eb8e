import ConsoleUI
import Foundation
import GovernanceAPI
import Testing

/// Cluster views as an engine in a cluster reports them, put into the demo console's state: the render
/// is a pure function of the state, so no etcd is needed to draw them.
enum ClusterFixture {
    static func engine(_ node: String, height: UInt64, checkpoint: UInt64 = 50, root: String = "ab12cd34ef56", seenAgo: UInt64 = 1000,
                       problem: String? = nil, now: UInt64) -> ClusterView.EngineView {
        ClusterView.EngineView(node: node, height: height, head: String(repeating: "0", count: 64), position: height - 1,
                               checkpoint: checkpoint, checkpointRoot: root,
                               lastSeen: Date(timeIntervalSince1970: Double(now - seenAgo) / 1000), problem: problem)
    }

    static let etcd = [
        ClusterView.EtcdMemberView(endpoint: "http://127.0.0.1:23790", reachable: true, isLeader: true, error: nil),
        ClusterView.EtcdMemberView(endpoint: "http://127.0.0.1:23792", reachable: true, isLeader: false, error: nil),
        ClusterView.EtcdMemberView(endpoint: "http://127.0.0.1:23794", reachable: false, isLeader: false,
                                   error: "connection refused (127.0.0.1:23794)"),
    ]

    /// Three engines seen from node-2: node-1 reports a block in doubt, node-3 lags 16 blocks and was
    /// last seen 12 s ago; one etcd member does not answer; two entries of the order were refused.
    static func lagging(now: UInt64) -> ClusterView {
        let engines = [
            engine("node-1", height: 57, problem: "no answer from etcd about a block: position 57", now: now),
            engine("node-2", height: 57, now: now),
            engine("node-3", height: 41, checkpoint: 40, root: "77aa", seenAgo: 12_000, now: now),
        ]
        return ClusterView(node: "node-2", position: 56, engines: engines, etcd: etcd, leader: etcd[0].endpoint,
                           checkpointsAgree: ClusterView.agree(engines), refusedEntries: 2,
                           lastRefused: "entry 31 is not signed by a node of this chain", problem: nil, sealer: "node-1")
    }

    /// node-3 carries another state root at checkpoint 50: the ledgers have forked, and node-2 halted.
    static func disagreeing(now: UInt64) -> ClusterView {
        let engines = [
            engine("node-1", height: 57, now: now),
            engine("node-2", height: 57, now: now),
            engine("node-3", height: 57, root: "ff00ee11dd22", now: now),
        ]
        return ClusterView(node: "node-2", position: 56, engines: engines, etcd: etcd, leader: etcd[0].endpoint,
                           checkpointsAgree: ClusterView.agree(engines), refusedEntries: 0, lastRefused: nil,
                           problem: "block 51 from node-3 does not re-execute to its state root: writes are halted", sealer: "node-1")
    }

    /// The status with `cluster` in it, everything else as it was.
    static func status(_ s: StatusView, cluster: ClusterView?) -> StatusView {
        StatusView(data: s.data, height: s.height, head: s.head, genesis: s.genesis, time: s.time, transactions: s.transactions,
                   members: s.members, nodes: s.nodes, proposals: s.proposals, policy: s.policy, contracts: s.contracts,
                   nodeRouting: s.nodeRouting, cluster: cluster)
    }

    /// The demo console as carol, on an engine in `cluster` (built at the state's clock).
    static func state(width: Int, height: Int, _ cluster: (UInt64) -> ClusterView = lagging) async throws -> ConsoleState {
        var s = try await Fixture.state(width: width, height: height)
        let alone = try #require(s.snapshot).status
        s.snapshot?.status = status(alone, cluster: cluster(s.now))
        return s
    }
}
