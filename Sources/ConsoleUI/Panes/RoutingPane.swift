import GovernanceAPI

/// Routing gauges: per contract and for the node fleet, old/new share per lane, the stage track, and
/// each version's calls, failures and fuel (or processing time).
enum RoutingPane {
    static func lines(_ s: ConsoleState, width: Int, height: Int, ascii: Bool) -> [[Segment]] {
        guard let routing = s.snapshot?.routing else { return [[Segment("no routing yet", Style(.muted))]] }
        let targets = routing.contracts.count + 1
        // Five lines a target when they fit; otherwise a compact two (three with room for statistics).
        let compact = targets * 5 > height
        let withStats = compact && targets * 3 <= height
        var out: [[Segment]] = []
        for c in routing.contracts {
            out += block(c.name, old: c.old, new: c.new, stage: c.stage, lanes: c.lanes, stats: c.stats, width: width, ascii: ascii,
                         compact: compact, withStats: withStats) { "fuel \($0.meanFuel ?? 0)" }
        }
        let n = routing.nodes
        out += block("nodes", old: n.old, new: n.new, stage: n.stage, lanes: n.lanes, stats: n.stats, width: width, ascii: ascii,
                     compact: compact, withStats: withStats) { $0.meanMicros.map { "\($0)µs" } ?? "" }
        return out
    }

    struct Segment {
        let text: String
        let style: Style
        var gauge: Int?
        init(_ text: String, _ style: Style = Style(), gauge: Int? = nil) { self.text = text; self.style = style; self.gauge = gauge }
    }

    static func block(_ name: String, old: String, new: String?, stage: String, lanes: LanesView, stats: [String: VersionStats],
                      width: Int, ascii: Bool, compact: Bool = false, withStats: Bool = true, cost: (VersionStats) -> String) -> [[Segment]] {
        var out: [[Segment]] = []
        let stages = ["prerelease", "gray", "production"]
        let at = stages.firstIndex(of: stage) ?? -1
        var head = [Segment(name, Style(.title, bold: true)), Segment("  \(old)" + (new.map { "→\($0)" } ?? "") + "  ", Style(.muted))]
        for (i, st) in stages.enumerated() {
            let done = i <= at
            head.append(Segment((done ? (ascii ? "*" : "●") : (ascii ? "o" : "○")) + " " + (width < 50 ? String(st.prefix(4)) : st),
                                Style(done ? .gaugeNew : .muted, bold: i == at)))
            if i < 2 { head.append(Segment(ascii ? " > " : " → ", Style(.muted))) }
        }
        out.append(head)
        if compact {
            // pre ████ 100  gry ░░░░ 0  prd ░░░░ 0: the share routed to the new version per lane.
            let each = max(2, (width - 28) / 3)
            var row = [Segment(" ")]
            for (label, p) in [("pre", lanes.prerelease), ("gry", lanes.gray), ("prd", lanes.production)] {
                row.append(Segment(label + " ", Style(.muted)))
                row.append(Segment(String(repeating: " ", count: each), gauge: Int(p)))
                row.append(Segment(" \(p)".padding(toLength: 5, withPad: " ", startingAt: 0), Style(p > 0 ? .gaugeNew : .muted)))
            }
            out.append(row)
            if !withStats { return out }
        }
        let gaugeWidth = max(6, min(30, width - 26))
        for lane in ["prerelease", "gray", "production"] where !compact {
            let p = lane == "prerelease" ? lanes.prerelease : lane == "gray" ? lanes.gray : lanes.production
            out.append([Segment(" " + lane.padding(toLength: 11, withPad: " ", startingAt: 0), Style(.muted)),
                        Segment(String(repeating: " ", count: gaugeWidth), gauge: Int(p)),
                        Segment(" \(old) \(100 - Int(p))%", Style(.gaugeOld)),
                        Segment(new.map { " \($0) \(p)%" } ?? "", Style(.gaugeNew))])
        }
        var statLine = [Segment(" ")]
        for (version, st) in stats.sorted(by: { $0.key < $1.key }) {
            let failing = st.failures > 0
            statLine.append(Segment("\(version) ", Style(.title)))
            statLine.append(Segment("\(st.totalCalls) calls ", Style(.muted)))
            statLine.append(Segment("\(st.totalFailures) fail", Style(failing ? .reject : .muted)))
            statLine.append(Segment(" \(cost(st))   ", Style(.muted)))
        }
        out.append(statLine)
        return out
    }

    static func draw(_ s: ConsoleState, in r: Rect, focused: Bool, into b: inout ScreenBuffer, ascii: Bool) {
        let inner = Box.draw("Routing", in: r, focused: focused, into: &b, ascii: ascii)
        let all = lines(s, width: inner.width, height: inner.height, ascii: ascii)
        let first = min(s.routingScroll, max(0, all.count - inner.height))
        for (i, segments) in all.dropFirst(first).prefix(inner.height).enumerated() {
            var x = inner.x
            for seg in segments {
                if let p = seg.gauge {
                    Gauge.draw(newPercent: p, x: x, y: inner.y + i, width: min(seg.text.count, inner.maxX - x), into: &b, ascii: ascii)
                    x += seg.text.count
                } else {
                    x += b.put(seg.text, x: x, y: inner.y + i, style: seg.style, limit: max(0, inner.maxX - x))
                }
            }
        }
    }
}
