import Foundation
import GovernanceAPI
/// The top line: chain height, block and transaction rates with sparklines, identity, mode, theme, time.
enum HeaderPane {
    static func draw(_ s: ConsoleState, in r: Rect, into b: inout ScreenBuffer, ascii: Bool) {
        b.fill(r, style: Style(.header, bg: .header))
        let bar = Style(.header, bg: .header)
        var x = r.x
        func put(_ text: String, _ style: Style = bar) {
            let shown = ascii ? text.replacingOccurrences(of: "│", with: "|").replacingOccurrences(of: "·", with: "+") : text
            x += b.put(shown, x: x, y: r.y, style: style, limit: max(0, r.maxX - x))
        }
        // In a cluster its part (node, engines, anything wrong) is drawn whatever the width: the other
        // parts fit in what it leaves, `w`, by the same rules as a header that wide.
        let cluster = s.cluster
        let flag = cluster.flatMap { ClusterWords.flag($0, short: r.width < 100) }
        // Under 64 columns the program's name and the word "cluster" give way to the node and the count.
        let narrow = cluster != nil && r.width < 64
        let clusterPart = cluster.map { c in
            "│ \(narrow ? ClusterWords.engines(c) : ClusterWords.summary(c))\(flag.map { " · \($0)" } ?? "") "
        }
        let w = r.width - (clusterPart?.count ?? 0)
        if !narrow { put(" govconsole ", Style(.header, bg: .header, bold: true)) }
        put("\(narrow ? " " : "│ ")height \(s.snapshot?.status.height ?? 0) ")
        // Under 80 columns the block rate gives way, so the engine and the identity always fit.
        if w >= 80 { put("│ \(Fmt.rate(s.blockRate.last ?? 0)) blk/s ") }
        let spark = w >= 150 ? 16 : 8
        if w >= 90 {
            Sparkline.draw(s.blockRate, x: x, y: r.y, width: spark, into: &b, style: bar, ascii: ascii)
            x += spark + 1
        }
        if cluster == nil || w >= 60 { put("│ \(Fmt.rate(s.txRate.last ?? 0)) tx/s ") }
        if w >= 90 {
            Sparkline.draw(s.txRate, x: x, y: r.y, width: spark, into: &b, style: bar, ascii: ascii)
            x += spark + 1
        }
        let role = s.role.isEmpty || (cluster != nil && w < 70) ? "" : " (\(s.role))"
        put("│ \(s.identity)\(role) ", Style(.header, bg: .header, bold: true))
        // Which engine this is matters at every width: a vote cast here goes to that engine.
        // A socket is named by its file; the data directory's path would crowd out the rest.
        var engine = s.mode
        if engine.hasPrefix("service unix:") { engine = "service " + (engine.split(separator: "/").last.map(String.init) ?? "") }
        if w < 140 && engine.hasPrefix("service") { engine = "service" }
        let clock = s.now > 0 ? " \(Fmt.clock(s.now)) UTC " : ""
        // Serving implies the engine runs here: where saying both would crowd out the clock, one word does.
        if engine == ConsoleState.servingMode && r.maxX - x < "│ \(engine) ".count + clock.count { engine = "serving" }
        if !s.connected {
            put("│ \(engine) ", Style(.error, bg: .header, bold: true))
            put("reconnecting… ", Style(.error, bg: .header, bold: true))
        } else if cluster == nil || w >= 100 {
            // In a cluster the node names this engine; where room is short it stands for the mode.
            put("│ \(engine) ")
        }
        // Something wrong in the cluster turns its part loud, with a word for what.
        if let clusterPart { put(clusterPart, flag == nil ? bar : Style(.error, bg: .header, bold: true)) }
        if w >= 140 { put("│ theme \(s.theme) ") }
        if !clock.isEmpty, r.maxX - clock.count > x { b.put(clock, x: r.maxX - clock.count, y: r.y, style: bar) }
    }
}

/// The tab bar of the one-pane layout used on small terminals.
enum TabBar {
    /// Each pane's label; where they do not all fit, the others shrink to their number so the focused
    /// pane's name always shows.
    static func labels(_ s: ConsoleState, width: Int) -> [(Pane, String)] {
        let full = s.panes.enumerated().map { i, pane in (pane, " \(i + 1) \(pane.title) ") }
        guard full.reduce(0, { $0 + $1.1.count + 1 }) > width else { return full }
        return s.panes.enumerated().map { i, pane in (pane, pane == s.focus ? " \(i + 1) \(pane.title) " : " \(i + 1) ") }
    }

    static func draw(_ s: ConsoleState, in r: Rect, into b: inout ScreenBuffer) {
        var x = r.x
        for (pane, label) in labels(s, width: r.width) {
            let style = pane == s.focus ? Style(.selected, bg: .selected, bold: true) : Style(.muted)
            x += b.put(label, x: x, y: r.y, style: style, limit: max(0, r.maxX - x))
            x += b.put(" ", x: x, y: r.y, limit: max(0, r.maxX - x))
        }
    }
}

/// The line above the footer: errors, vote requests, outcomes of requests.
enum StatusPane {
    static func draw(_ s: ConsoleState, in r: Rect, into b: inout ScreenBuffer) {
        // An error first; then the outcome of the last request and a vote waiting for you, side by side:
        // a vote on one proposal must show its confirmation while another still asks.
        if let line = s.statusLine, s.statusIsError {
            b.line(" " + line, in: r, row: 0, style: Style(.error, bold: true))
        } else if let alarm = s.cluster.flatMap(ClusterWords.alarm) {
            // While the cluster refuses writes a vote could not be cast anyway: the reason comes first.
            b.line(" " + alarm, in: r, row: 0, style: Style(.error, bold: true))
        } else if let notice = s.notice {
            // The outcome gives way to the notice: a long result never pushes the request off the line.
            let room = max(0, r.width - notice.count - 3)
            var x = 0
            if let line = s.statusLine, room > 0 { x = b.put(" " + line + "  ", x: r.x, y: r.y, style: Style(.approve), limit: room) }
            b.line(" ▶ " + notice, in: Rect(x: r.x + x, y: r.y, width: r.width - x, height: 1), row: 0, style: Style(.warn, bold: true))
        } else if let line = s.statusLine {
            b.line(" " + line, in: r, row: 0, style: Style(.approve))
        } else if let warning = s.themeWarning {
            b.line(" " + warning, in: r, row: 0, style: Style(.warn))
        }
    }
}

/// The bottom line: the keys that work in the focused pane.
enum FooterPane {
    static func keys(for s: ConsoleState) -> [(String, String)] {
        if let overlay = s.overlay {
            switch overlay {
            case .help: return [("any key", "close")]
            case .command: return [("Enter", "run"), ("Esc", "cancel")]
            case .filter: return [("Enter", "keep filter"), ("Esc", "close")]
            case .identities: return [("↑↓", "choose"), ("Enter", "switch"), ("Esc", "cancel")]
            case .propose: return [("←→", "operation"), ("Tab", "next field"), ("Enter", "propose"), ("Esc", "cancel")]
            }
        }
        var keys: [(String, String)]
        switch s.focus {
        case .proposals: keys = [("↑↓", "select"), ("y/n/a", "vote"), ("x", "execute"), ("c", "cancel"), ("p", "propose"), ("/", "filter")]
        case .feed: keys = [("↑↓", "scroll"), ("space", s.feedPaused ? "resume" : "pause")]
        case .routing, .nodes: keys = [("↑↓", "scroll"), ("p", "propose")]
        case .cluster: keys = [("↑↓", "select engine")]
        }
        // Help and quit first, so a narrow footer never loses them.
        return [("?", "help"), ("q", "quit")] + keys
            + [("Tab", "pane"), ("i", "identity"), (":", "command"), ("g", s.trafficOn ? "stop traffic" : "traffic"), ("t", "theme")]
    }

    static func draw(_ s: ConsoleState, in r: Rect, into b: inout ScreenBuffer) {
        var x = r.x + 1
        for (key, action) in keys(for: s) {
            guard x + key.count + action.count + 2 < r.maxX else { break }
            x += b.put(key, x: x, y: r.y, style: Style(.accent, bold: true))
            x += b.put(" \(action)  ", x: x, y: r.y, style: Style(.muted))
        }
    }
}
