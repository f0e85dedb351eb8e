import ChainPrimitives
import GovernanceAPI

/// What the console says about a cluster, in one place so the header, the status line and the pane
/// agree. Everything that came from etcd (node names, problems, reasons) is escaped here.
enum ClusterWords {
    /// `cluster node-2 · 3 engines`: which engine this is and how many announced themselves.
    static func summary(_ c: ClusterView) -> String { "cluster " + engines(c) }

    /// `node-2 · 3 engines`, for narrow windows.
    static func engines(_ c: ClusterView) -> String {
        "\(c.node.terminalSafe) · \(c.engines.count) engine\(c.engines.count == 1 ? "" : "s")"
    }

    /// The words the header adds when something is wrong, or nil; `short` for narrow windows.
    static func flag(_ c: ClusterView, short: Bool = false) -> String? {
        if !c.checkpointsAgree { return short ? "DISAGREE" : "checkpoints DISAGREE" }
        if c.problem != nil { return "writes refused" }
        return nil
    }

    /// The status line's sentence when something is wrong: what happened and what it means.
    static func alarm(_ c: ClusterView) -> String? {
        if !c.checkpointsAgree {
            return "cluster: checkpoints DISAGREE — the engines' ledgers differ; 5 shows the Cluster pane"
        }
        return c.problem.map { "cluster: \($0.terminalSafe)" }
    }

    /// Who seals the blocks, and, when this engine could not forward to it, why it seals its own.
    static func sealing(_ c: ClusterView, cross: String) -> (String, Style) {
        if let f = c.forwardingProblem { return ("\(cross) forwarding: \(f.terminalSafe)", Style(.warn)) }
        guard let sealer = c.sealer else { return ("no engine holds the sealer's seat: each seals its own", Style(.muted)) }
        if sealer == c.node { return ("\(sealer.terminalSafe) (this engine) seals the blocks; the others forward to it", Style(.text)) }
        return ("\(sealer.terminalSafe) seals the blocks; this engine forwards to it", Style(.text))
    }

    /// The highest checkpoint every engine that passed it agrees on, or nil when none has passed one.
    static func agreedCheckpoint(_ c: ClusterView) -> UInt64? {
        c.engines.map(\.checkpoint).filter { $0 > 0 }.max()
    }

    /// `at 50: node-1 ab12cd34, node-3 ef56ab78` for the lowest checkpoint whose roots differ.
    static func disagreement(_ c: ClusterView) -> String? {
        let byCheckpoint = Dictionary(grouping: c.engines.filter { $0.checkpoint > 0 }, by: \.checkpoint)
        guard let (height, engines) = byCheckpoint.sorted(by: { $0.key < $1.key })
            .first(where: { Set($0.value.map(\.checkpointRoot)).count > 1 }) else { return nil }
        let roots = engines.map { "\($0.node.terminalSafe) \(String($0.checkpointRoot.prefix(8)).terminalSafe)" }
        return "at \(height): " + roots.joined(separator: ", ")
    }

    /// How long ago an engine announced itself, from the console's clock; `—` before the first tick.
    static func age(_ e: ClusterView.EngineView, now: UInt64) -> String {
        guard now > 0 else { return "—" }
        let seen = Int64(e.lastSeen.timeIntervalSince1970 * 1000)
        return DurationText.approximate(seconds: Int(max(0, Int64(now) - seen) / 1000))
    }
}
