import ChainPrimitives
import Foundation
import GovernanceAPI

/// Routing gauges: per contract and for the node fleet, old/new share per lane, the stage track, and
/// each version's calls, failures and fuel (or processing time).
enum RoutingPane {
    static func lines(_ s: ConsoleState, width: Int, height: Int, ascii: Bool) -> [[Segment]] {
        guard let routing = s.snapshot?.routing else { return [[Segment("no routing yet", Style(.muted))]] }
        let gauges = RoutingGauge.all(routing)
        // Five lines a target when they fit; otherwise a compact two (three with room for statistics).
        let compact = gauges.count * 5 > height
        let withStats = compact && gauges.count * 3 <= height
        return gauges.flatMap { block($0, width: width, ascii: ascii, compact: compact, withStats: withStats) }
    }

    struct Segment {
        let text: String
        let style: Style
        var gauge: Int?
        init(_ text: String, _ style: Style = Style(), gauge: Int? = nil) { self.text = text; self.style = style; self.gauge = gauge }
    }

    static func block(_ g: RoutingGauge, width: Int, ascii: Bool, compact: Bool = false, withStats: Bool = true) -> [[Segment]] {
        var out: [[Segment]] = []
        var head = [Segment(g.title, Style(.title, bold: true)), Segment("  \(g.old)" + (g.new.map { "→\($0)" } ?? "") + "  ", Style(.muted))]
        for (i, st) in RoutingGauge.stages.enumerated() {
            let done = g.reached(i)
            head.append(Segment((done ? (ascii ? "*" : "●") : (ascii ? "o" : "○")) + " " + (width < 50 ? String(st.prefix(4)) : st),
                                Style(done ? .gaugeNew : .muted, bold: g.isCurrent(i))))
            if i < 2 { head.append(Segment(ascii ? " > " : " → ", Style(.muted))) }
        }
        out.append(head)
        if compact {
            // pre ████ 100  gry ░░░░ 0  prd ░░░░ 0: the share routed to the new version per lane.
            let each = max(2, (width - 28) / 3)
            var row = [Segment(" ")]
            for (label, share) in zip(["pre", "gry", "prd"], g.lanes) {
                let p = share.newPercent
                row.append(Segment(label + " ", Style(.muted)))
                row.append(Segment(String(repeating: " ", count: each), gauge: p))
                row.append(Segment(" \(p)".padding(toLength: 5, withPad: " ", startingAt: 0), Style(p > 0 ? .gaugeNew : .muted)))
            }
            out.append(row)
            if !withStats { return out }
        }
        let gaugeWidth = max(6, min(30, width - 26))
        for share in g.lanes where !compact {
            out.append([Segment(" " + share.lane.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0), Style(.muted)),
                        Segment(String(repeating: " ", count: gaugeWidth), gauge: share.newPercent),
                        Segment(" \(g.old) \(share.oldPercent)%", Style(.gaugeOld)),
                        Segment(g.new.map { " \($0) \(share.newPercent)%" } ?? "", Style(.gaugeNew))])
        }
        var statLine = [Segment(" ")]
        for v in g.versions {
            statLine.append(Segment("\(v.name) ", Style(.title)))
            statLine.append(Segment("\(v.stats.totalCalls) calls ", Style(.muted)))
            statLine.append(Segment("\(v.stats.totalFailures) fail", Style(v.stats.failures > 0 ? .reject : .muted)))
            statLine.append(Segment(" \(g.cost(v) ?? "")   ", Style(.muted)))
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
