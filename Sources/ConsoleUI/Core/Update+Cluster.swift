import GovernanceAPI

/// How often a console on an engine in a cluster reads the status again: heights, last-seen ages and
/// etcd's members change with no event reaching this engine.
let clusterRefreshMillis: UInt64 = 2000

/// On a tick, asks for the cluster's status when the last ask is old enough; one at a time is the
/// runner's business, so a slow etcd never piles up requests.
func clusterTick(_ s: inout ConsoleState, _ now: UInt64) -> [EngineCommand] {
    guard s.cluster != nil else { return [] }
    if let asked = s.clusterAsked, now >= asked, now - asked < clusterRefreshMillis { return [] }
    s.clusterAsked = now
    return [.refreshStatus]
}

/// A fresh status replaces the snapshot's and nothing else: focus, selections and scrolling stay.
func receiveStatus(_ s: inout ConsoleState, _ status: StatusView) {
    s.snapshot?.status = status
    s.clusterRead = readAt(s)
}

/// When a view of the cluster arrived, on the console's clock; nil before the first tick has set it.
func readAt(_ s: ConsoleState) -> UInt64? { s.now > 0 ? s.now : nil }

/// Moves the cluster pane's selection by engine, keeping it by node name.
func moveClusterSelection(_ s: inout ConsoleState, _ delta: Int) {
    let engines = s.cluster?.engines ?? []
    guard !engines.isEmpty else { return }
    let current = engines.firstIndex { $0.node == s.clusterSelected } ?? (delta > 0 ? -1 : engines.count)
    s.clusterSelected = engines[(current + delta).clamped(0, engines.count - 1)].node
}
