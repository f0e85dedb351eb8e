import ChainPrimitives
import Foundation

/// Draws the whole console for `state` into `buffer`. A pure function of the state: no engine, no
/// terminal, no clock.
public func render(_ state: ConsoleState, into b: inout ScreenBuffer, ascii: Bool = false) {
    b.fill(b.area)
    let layout = ConsoleLayout(width: b.width, height: b.height, focus: state.focus, nodes: state.snapshot?.nodes.count ?? 6)
    if layout.isTooSmall {
        let need = "\(ConsoleLayout.minimum.width)×\(ConsoleLayout.minimum.height)"
        let text = ["govconsole needs a window of at least \(need)", "window too small: need \(need)", "need \(need)"]
            .first { $0.count <= b.width } ?? need
        b.put(text, x: 0, y: 0, style: Style(.warn, bold: true))
        return
    }
    HeaderPane.draw(state, in: layout.header, into: &b, ascii: ascii)
    if layout.isTabbed { TabBar.draw(state, in: layout.tabBar, into: &b) }
    for (pane, rect) in layout.panes {
        let focused = pane == state.focus
        switch pane {
        case .proposals: ProposalsPane.draw(state, in: rect, focused: focused, into: &b, ascii: ascii)
        case .feed: FeedPane.draw(state, in: rect, focused: focused, into: &b, ascii: ascii)
        case .routing: RoutingPane.draw(state, in: rect, focused: focused, into: &b, ascii: ascii)
        case .nodes: NodesPane.draw(state, in: rect, focused: focused, into: &b, ascii: ascii)
        case .cluster: ClusterPane.draw(state, in: rect, focused: focused, into: &b, ascii: ascii)
        }
    }
    StatusPane.draw(state, in: layout.status, into: &b)
    FooterPane.draw(state, in: layout.footer, into: &b)
    if let overlay = state.overlay { OverlayPane.draw(overlay, state, screen: b.area, into: &b, ascii: ascii) }
}

/// Shared text helpers for panes.
enum Fmt {
    static func left(_ deadline: Date, now: UInt64) -> String {
        let seconds = Int(deadline.timeIntervalSince1970 - Double(now) / 1000)
        return seconds <= 0 ? "closed" : DurationText.approximate(seconds: seconds)
    }

    /// HH:mm:ss in UTC, by arithmetic: a DateFormatter made every frame cost more than the rest of the header.
    static func clock(_ ms: UInt64) -> String {
        let s = ms / 1000 % 86_400
        func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }

    /// A ratio as an exact percentage: 50%, 66.67%.
    static func percent(_ r: Ratio) -> String {
        let whole = r.ppm / 10_000, frac = r.ppm % 10_000
        guard frac > 0 else { return "\(whole)%" }
        var digits = String(frac)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)%"
    }

    static func rate(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v) }

    static func choiceGlyph(_ choice: String?, ascii: Bool) -> (String, ThemeRole) {
        switch choice {
        case "approve": (ascii ? "+" : "✓", .approve)
        case "reject": (ascii ? "x" : "✗", .reject)
        case "abstain": (ascii ? "~" : "○", .abstain)
        default: (ascii ? "." : "·", .muted)
        }
    }

    static func statusRole(_ status: String) -> ThemeRole {
        switch status {
        case "voting": .accent
        case "passed", "executed": .approve
        case "rejected": .reject
        case "expired", "canceled": .muted
        default: .text
        }
    }
}
