@testable import ConsoleUI
import Foundation
import GovernanceAPI
import Testing

/// The console on an engine that keeps the ledger with others through etcd: the header names the node
/// and the engines, the Cluster pane shows each engine, the checkpoints and etcd, and anything wrong is
/// said loudly. Screens are compared with golden files (expectGolden).
@Suite(.serialized) struct ClusterPaneTests {
    func header(_ s: ConsoleState) -> String { String(Fixture.screen(s).split(separator: "\n").first ?? "") }
    /// The column and row where `text` first appears on the screen (box and text characters are one cell each).
    func position(of text: String, in s: ConsoleState) -> (x: Int, y: Int)? {
        for (y, line) in Fixture.screen(s).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let r = line.range(of: text) { return (line.distance(from: line.startIndex, to: r.lowerBound), y) }
        }
        return nil
    }

    func statusLine(_ s: ConsoleState) -> String { Fixture.screen(s).split(separator: "\n", omittingEmptySubsequences: false)[s.height - 2].description }

    @Test func headerNamesTheNodeAndTheEnginesAt160x48() async throws {
        let s = try await ClusterFixture.state(width: 160, height: 48)
        #expect(header(s).contains("│ cluster node-2 · 3 engines "))
        try expectGolden("cluster-main-160x48", Fixture.screen(s))
    }

    @Test func headerNamesTheNodeAndTheEnginesAt80x24() async throws {
        let s = try await ClusterFixture.state(width: 80, height: 24)
        #expect(header(s).contains("│ cluster node-2 · 3 engines "), "the header reads: \(header(s))")
        try expectGolden("cluster-main-80x24", Fixture.screen(s))
    }

    @Test func paneShowsEnginesLagCheckpointsAndEtcdAt160x48() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        _ = update(&s, .key(.char("5")))
        #expect(s.focus == .cluster)
        let screen = Fixture.screen(s)
        #expect(screen.contains("checkpoints agree at 50"))
        #expect(screen.contains("unreachable: connection refused"))
        #expect(screen.contains("refused entries 2 · last: entry 31 is not signed"))
        #expect(screen.contains("node-1 seals the blocks; this engine forwards to it"))
        try expectGolden("cluster-pane-160x48", screen)
    }

    @Test func paneTakesTheBodyAt80x24() async throws {
        var s = try await ClusterFixture.state(width: 80, height: 24)
        _ = update(&s, .key(.char("5")))
        let screen = Fixture.screen(s)
        // node-3 lags 16 blocks behind the highest engine.
        #expect(screen.contains("node-3  41      16"))
        try expectGolden("cluster-pane-80x24", screen)
    }

    @Test func paneUnderTabsAtSmallSizes() async throws {
        var s = try await ClusterFixture.state(width: 60, height: 16)
        _ = update(&s, .key(.char("5")))
        try expectGolden("cluster-pane-tabbed-60x16", Fixture.screen(s))
        s.width = 40
        s.height = 12
        let tiny = Fixture.screen(s)
        #expect(header(s).contains("│ node-2 · 3 engines"), "the header reads: \(header(s))")
        // The smallest window still says what matters first: the checkpoints, then the engines.
        #expect(tiny.contains("checkpoints agree at 50") && tiny.contains("node-3"))
        try expectGolden("cluster-pane-tabbed-40x12", tiny)
    }

    @Test func disagreeingCheckpointsAreSaidLoudly() async throws {
        var s = try await ClusterFixture.state(width: 120, height: 36, ClusterFixture.disagreeing)
        #expect(header(s).contains("cluster node-2 · 3 engines · checkpoints DISAGREE"), "the header reads: \(header(s))")
        #expect(statusLine(s).contains("cluster: checkpoints DISAGREE — the engines' ledgers differ"))
        _ = update(&s, .key(.char("5")))
        let screen = Fixture.screen(s)
        #expect(screen.contains("✗ checkpoints DISAGREE at 50: node-1 ab12cd34, node-2 ab12cd34, node-3 ff00ee11"))
        #expect(screen.contains("✗ block 51 from node-3 does not re-execute"))
        try expectGolden("cluster-disagree-120x36", screen)
    }

    /// The header's warning is drawn in the theme's error colour, not only in words.
    @Test func aProblemTurnsTheHeaderLoud() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        var c = ClusterFixture.lagging(now: s.now)
        c = ClusterView(node: c.node, position: c.position, engines: c.engines, etcd: c.etcd, leader: nil, checkpointsAgree: true,
                        refusedEntries: 0, lastRefused: nil, problem: "etcd unreachable at http://127.0.0.1:23790: writes are refused")
        _ = update(&s, .status(ClusterFixture.status(s.snapshot!.status, cluster: c)))
        let line = header(s)
        #expect(line.contains("cluster node-2 · 3 engines · writes refused"))
        var b = ScreenBuffer(width: s.width, height: s.height)
        render(s, into: &b)
        let at = try #require(position(of: "cluster node-2", in: s))
        #expect(b[at.x, at.y].style.fg == .error && b[at.x, at.y].style.bold)
        #expect(statusLine(s).contains("cluster: etcd unreachable at http://127.0.0.1:23790: writes are refused"))
        // An error the user caused still comes first; the alarm returns when it is dismissed.
        _ = update(&s, .failed("select a proposal first"))
        #expect(statusLine(s).contains("select a proposal first"))
        _ = update(&s, .key(.escape))
        #expect(statusLine(s).contains("cluster: etcd unreachable"))
    }

    /// This engine's own problem heads the pane; a second line repeating it below the table would only
    /// push etcd's members down.
    @Test func thisEnginesProblemIsSaidOnceInThePane() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        let c = ClusterFixture.lagging(now: s.now)
        let problem = "no answer from etcd about a block: etcd refused the request: context deadline exceeded"
        let engines = c.engines.map { e in
            e.node == "node-2" ? ClusterFixture.engine("node-2", height: 57, problem: problem, now: s.now) : e
        }
        let next = ClusterView(node: c.node, position: 56, engines: engines, etcd: c.etcd, leader: c.leader, checkpointsAgree: true,
                               refusedEntries: 0, lastRefused: nil, problem: problem)
        _ = update(&s, .status(ClusterFixture.status(s.snapshot!.status, cluster: next)))
        _ = update(&s, .key(.char("5")))
        let pane = Fixture.screen(s).split(separator: "\n").dropLast(2).joined(separator: "\n")
        #expect(pane.contains("✗ no answer from etcd about a block: etcd refused the request"))
        #expect(!pane.contains("node-2: no answer"))
        #expect(pane.contains("node-1: no answer from etcd about a block: position 57"))
    }

    @Test func aLoneEngineHasNoClusterPane() async throws {
        var s = try await Fixture.state(width: 120, height: 36)
        #expect(!s.panes.contains(.cluster))
        _ = update(&s, .key(.char("5")))
        #expect(s.focus == .proposals)
        for _ in 0..<4 { _ = update(&s, .key(.tab)) }
        #expect(s.focus == .proposals)
        #expect(!header(s).contains("cluster"))
        // Reached anyway (a cluster that went away), it says why it is empty.
        s.focus = .cluster
        #expect(Fixture.screen(s).contains("this engine runs alone (no cluster)"))
    }

    @Test func tabReachesTheClusterPaneInACluster() async throws {
        var s = try await ClusterFixture.state(width: 120, height: 36)
        for _ in 0..<4 { _ = update(&s, .key(.tab)) }
        #expect(s.focus == .cluster)
        _ = update(&s, .key(.tab))
        #expect(s.focus == .proposals)
        _ = update(&s, .key(.backTab))
        #expect(s.focus == .cluster)
    }

    /// A new status arrives while the user reads node-3's row: node-3 stays selected, though the engines
    /// come in another order with one more, and the proposal selection and focus stay too.
    @Test func aLiveStatusNeverMovesTheSelection() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        let proposal = s.selected
        _ = update(&s, .key(.char("5")))
        for _ in 0..<3 { _ = update(&s, .key(.down)) }
        #expect(s.clusterSelected == "node-3")
        let c = ClusterFixture.lagging(now: s.now)
        let more = [ClusterFixture.engine("node-0", height: 58, now: s.now)] + c.engines.reversed()
        let next = ClusterView(node: c.node, position: 57, engines: more, etcd: c.etcd, leader: c.leader, checkpointsAgree: true,
                               refusedEntries: 2, lastRefused: c.lastRefused, problem: nil)
        #expect(update(&s, .status(ClusterFixture.status(s.snapshot!.status, cluster: next))).isEmpty)
        #expect(s.clusterSelected == "node-3" && s.focus == .cluster && s.selected == proposal)
        // On screen the highlighted row is node-3's.
        var b = ScreenBuffer(width: s.width, height: s.height)
        render(s, into: &b)
        let at = try #require(position(of: "node-3  41", in: s))
        #expect(b[at.x, at.y].style.bg == .selected)
    }

    /// Heights, ages and etcd change with no event reaching this engine: a console in a cluster asks for
    /// the status every two seconds of its clock, and a lone one never does.
    @Test func ticksAskForTheClusterStatus() async throws {
        var s = try await ClusterFixture.state(width: 120, height: 36)
        let t = s.now + 10_000
        #expect(update(&s, .tick(now: t)) == [.refreshStatus])
        #expect(update(&s, .tick(now: t + 1000)).isEmpty)
        #expect(update(&s, .tick(now: t + 2000)) == [.refreshStatus])
        var alone = try await Fixture.state(width: 120, height: 36)
        #expect(update(&alone, .tick(now: t)).isEmpty)
    }

    /// With etcd down a status read waits on every endpoint; meanwhile the pane says how old its view is.
    @Test func aStaleViewSaysItsAge() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        _ = update(&s, .key(.char("5")))
        let status = try #require(s.snapshot).status
        _ = update(&s, .status(status))
        #expect(Fixture.screen(s).contains("┌─ Cluster ──"))
        _ = update(&s, .tick(now: s.now + 4000))
        #expect(Fixture.screen(s).contains("┌─ Cluster ──"))
        _ = update(&s, .tick(now: s.now + 8000))
        #expect(Fixture.screen(s).contains("┌─ Cluster · read 12s ago, etcd is slow to answer ─"))
        _ = update(&s, .status(status))
        #expect(Fixture.screen(s).contains("┌─ Cluster ──"))
    }

    /// Node names, problems and reasons come from etcd, which any member can write to: they reach the
    /// screen escaped.
    @Test func textFromEtcdIsEscaped() async throws {
        var s = try await ClusterFixture.state(width: 160, height: 48)
        let c = ClusterFixture.lagging(now: s.now)
        let evil = ClusterFixture.engine("evil\u{1b}[2J", height: 57, problem: "\u{202e}gnorw", now: s.now)
        let next = ClusterView(node: c.node, position: 56, engines: c.engines + [evil], etcd: c.etcd, leader: c.leader, checkpointsAgree: true,
                               refusedEntries: 3, lastRefused: "bad\u{1b}]0;title\u{07}", problem: nil)
        _ = update(&s, .status(ClusterFixture.status(s.snapshot!.status, cluster: next)))
        _ = update(&s, .key(.char("5")))
        let screen = Fixture.screen(s)
        #expect(screen.contains(#"evil\x1b[2J"#) && screen.contains(#"\u202egnorw"#) && screen.contains(#"bad\x1b]0;title\x07"#))
        #expect(!screen.unicodeScalars.contains { TerminalText.needsEscape($0) && $0 != "\n" })
    }
}
