import GovernanceAPI

/// Each node: its logic version, the lanes the platform routes to it, transactions handled, faults.
enum NodesPane {
    static func lanes(for logic: String, _ routing: RoutingView.Nodes) -> String {
        let pairs = [("pre", routing.lanes.prerelease), ("gray", routing.lanes.gray), ("prod", routing.lanes.production)]
        return pairs.compactMap { name, p -> String? in
            let toNew = routing.new != nil && p > 0
            let toOld = p < 100
            if logic == routing.new && toNew { return "\(name) \(p)%" }
            if logic == routing.old && toOld { return "\(name) \(100 - Int(p))%" }
            return nil
        }.joined(separator: " ")
    }

    static func draw(_ s: ConsoleState, in r: Rect, focused: Bool, into b: inout ScreenBuffer, ascii: Bool) {
        let inner = Box.draw("Nodes", in: r, focused: focused, into: &b, ascii: ascii)
        guard let routing = s.snapshot?.routing.nodes else { return }
        let columns = [Table.Column("NODE", 7), Table.Column("LOGIC", 5), Table.Column("TXS", 7), Table.Column("LANES", max(8, inner.width - 22))]
        let rows: [[(String, Style)]] = routing.fleet.map { n in
            guard n.online else {
                return [(n.name, Style(.muted)), (n.logic, Style(.muted)), ("\(n.transactions)", Style(.muted)),
                        ("down: no engine runs it, routed around", Style(.warn))]
            }
            let lanes = lanes(for: n.logic, routing)
            return [(n.name, Style()), (n.logic, Style(n.logic == routing.new ? .gaugeNew : .gaugeOld, bold: true)),
                    ("\(n.transactions)", Style(.muted)),
                    (lanes.isEmpty ? "—" : lanes + (n.faultRate > 0 ? " faults \(Int(n.faultRate * 100))%" : ""),
                     Style(n.faultRate > 0 ? .warn : .text))]
        }
        let first = min(s.nodesScroll, max(0, rows.count - (inner.height - 1)))
        Table(columns: columns, rows: Array(rows.dropFirst(first)), selected: nil).draw(in: inner, into: &b, focused: false)
    }
}
