import Foundation
import Governance
import GovernanceAPI
/// Modal layers: help, the command line, the filter, the identity picker, the propose form.
enum OverlayPane {
    static let keyMap: [(String, String)] = [
        ("y / n / a", "vote approve / reject / abstain on the selected proposal"),
        ("v", "show the proposal that asks for your vote"),
        ("x", "execute the selected proposal (needs your permission)"),
        ("c", "cancel the selected proposal (proposer, while voting)"),
        ("p", "propose any operation (form)"),
        ("i", "switch identity"),
        (":", "command line: any CLI subcommand, e.g. call asset-ledger balance"),
        ("/", "filter the proposals table"),
        ("space", "pause or resume the live feed"),
        ("Tab / S-Tab", "next / previous pane (1–4 jump; 5 Cluster, in a cluster)"),
        ("↑↓ j k PgUp PgDn", "move or scroll; mouse click selects"),
        ("g", "start or stop the traffic generator"),
        ("t", "next theme"),
        ("Esc", "dismiss notice or overlay"),
        ("q", "quit"),
    ]

    static func draw(_ overlay: Overlay, _ s: ConsoleState, screen: Rect, into b: inout ScreenBuffer, ascii: Bool) {
        switch overlay {
        case .help:
            let w = min(screen.width - 4, 96), h = min(screen.height - 2, keyMap.count + 2)
            let inner = Box.draw("Keys", in: centered(w, h, in: screen), focused: true, into: &b, ascii: ascii)
            for (i, (key, what)) in keyMap.prefix(inner.height).enumerated() {
                b.put(key, x: inner.x + 1, y: inner.y + i, style: Style(.accent, bold: true), limit: 18)
                b.put(what, x: inner.x + 20, y: inner.y + i, limit: inner.width - 20)
            }
        case let .command(text):
            promptLine(":" + text, screen: screen, into: &b)
        case let .filter(text):
            promptLine("/" + text, screen: screen, into: &b)
        case let .identities(selected):
            let members = s.snapshot?.members ?? []
            let h = min(screen.height - 2, members.count + 2)
            let inner = Box.draw("Act as", in: centered(30, h, in: screen), focused: true, into: &b, ascii: ascii)
            let first = Table.offset(selected: selected, count: members.count, visible: inner.height)
            for (i, m) in members.dropFirst(first).prefix(inner.height).enumerated() {
                let style = first + i == selected ? Style(.selected, bg: .selected) : Style()
                b.line(" \(m.name) (\(m.role))", in: inner, row: i, style: style)
            }
        case let .propose(form):
            let h = min(screen.height - 2, form.fields.count + 5)
            let inner = Box.draw("Propose", in: centered(min(screen.width - 4, 60), h, in: screen), focused: true, into: &b, ascii: ascii)
            let op = form.kind.rawValue
            b.line(" operation  ‹ \(op) ›", in: inner, row: 0, style: form.cursor == 0 ? Style(.selected, bg: .selected) : Style(.title, bold: true))
            for (i, f) in form.fields.enumerated() where i + 2 < inner.height {
                let active = form.cursor == i + 1
                b.line(" " + f.label.padding(toLength: 15, withPad: " ", startingAt: 0) + f.value + (active ? "▏" : ""),
                       in: inner, row: i + 1, style: active ? Style(.selected, bg: .selected) : Style())
            }
            b.line(" as \(s.identity): Enter proposes", in: inner, row: inner.height - 1, style: Style(.muted))
        }
    }

    static func centered(_ w: Int, _ h: Int, in screen: Rect) -> Rect {
        Rect(x: screen.x + (screen.width - w) / 2, y: screen.y + (screen.height - h) / 2, width: w, height: h)
    }

    static func promptLine(_ text: String, screen: Rect, into b: inout ScreenBuffer) {
        let r = Rect(x: 0, y: screen.maxY - 2, width: screen.width, height: 1)
        b.line(text + "▏", in: r, row: 0, style: Style(.accent, bold: true))
    }
}
