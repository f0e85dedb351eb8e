import ChainPrimitives
import GovernanceAPI

/// The engines keeping this ledger through etcd: each engine's height, lag behind the highest, order
/// position, checkpoint, last announcement and problem; whether the checkpoints agree; etcd's members
/// and leader; and entries of the order this engine refused. Rows that do not fit are cut from the
/// bottom, after the lines that say something is wrong.
enum ClusterPane {
    static func draw(_ s: ConsoleState, in r: Rect, focused: Bool, into b: inout ScreenBuffer, ascii: Bool) {
        let inner = Box.draw(title(s), in: r, focused: focused, into: &b, ascii: ascii)
        guard inner.height > 0 else { return }
        guard let c = s.cluster else {
            b.put("this engine runs alone (no cluster)", x: inner.x, y: inner.y, style: Style(.muted), limit: inner.width)
            return
        }
        let cross = ascii ? "x" : "✗"
        var top: [(String, Style)] = []
        if let problem = c.problem { top.append(("\(cross) \(problem.terminalSafe)", Style(.error, bold: true))) }
        if !c.checkpointsAgree {
            top.append(("\(cross) checkpoints DISAGREE \(ClusterWords.disagreement(c) ?? "") — the ledgers differ", Style(.error, bold: true)))
        } else if let at = ClusterWords.agreedCheckpoint(c) {
            top.append(("checkpoints agree at \(at)", Style(.approve)))
        } else {
            top.append(("no checkpoint passed yet", Style(.muted)))
        }
        top.append(ClusterWords.sealing(c, cross: cross))
        // An engine's problem cut short in its column is said whole below the table, unless it is this
        // engine's own, already said first.
        let column = problemWidth(c, tableWidth: inner.width)
        var bottom: [(String, Style)] = c.engines.compactMap { e in
            guard let p = e.problem?.terminalSafe, p.count > column, e.node != c.node || e.problem != c.problem else { return nil }
            return ("\(e.node.terminalSafe): \(p)", Style(.error))
        }
        bottom.append(etcdTitle(c))
        bottom += c.etcd.map(member)
        bottom.append(refused(c))
        // Blank lines between the parts only when everything fits with them.
        let wanted = top.count + c.engines.count + 1 + bottom.count
        let gap = wanted + 2 <= inner.height ? 1 : 0
        var y = inner.y
        for (text, style) in top where y < inner.maxY {
            b.put(text, x: inner.x, y: y, style: style, limit: inner.width)
            y += 1
        }
        y += gap
        // The engines before etcd: up to five of them keep their rows, more leave etcd some room.
        let tableRows = min(c.engines.count + 1, max(min(c.engines.count + 1, 6), inner.maxY - y - gap - bottom.count))
        let table = Rect(x: inner.x, y: y, width: inner.width, height: max(0, min(tableRows, inner.maxY - y)))
        engines(s, c, in: table, focused: focused, into: &b)
        y += table.height + gap
        for (text, style) in bottom where y < inner.maxY {
            b.put(text, x: inner.x, y: y, style: style, limit: inner.width)
            y += 1
        }
    }

    /// A view older than two reads says its age: etcd is slow to answer, and what shows may be stale.
    static func title(_ s: ConsoleState) -> String {
        guard s.cluster != nil, let read = s.clusterRead, s.now > read + 2 * clusterRefreshMillis else { return "Cluster" }
        return "Cluster · read \(DurationText.approximate(seconds: Int((s.now - read) / 1000))) ago, etcd is slow to answer"
    }

    /// The engines table's columns; position and checkpoint only where the problem keeps some room.
    static func columns(_ c: ClusterView, tableWidth: Int) -> [Table.Column] {
        let name = min(16, max(7, c.engines.map { $0.node.terminalSafe.count }.max() ?? 0))
        var columns = [Table.Column("NODE", name), Table.Column("HEIGHT", 7), Table.Column("LAG", 5)]
        if tableWidth >= 64 { columns += [Table.Column("POSITION", 9), Table.Column("CHECKPT", 8)] }
        columns.append(Table.Column("SEEN", 6))
        let used = columns.reduce(0) { $0 + $1.width + 1 }
        return columns + [Table.Column("PROBLEM", max(7, tableWidth - used))]
    }

    static func problemWidth(_ c: ClusterView, tableWidth: Int) -> Int { columns(c, tableWidth: tableWidth).last?.width ?? 0 }

    static func engines(_ s: ConsoleState, _ c: ClusterView, in r: Rect, focused: Bool, into b: inout ScreenBuffer) {
        let top = c.engines.map(\.height).max() ?? 0
        let columns = columns(c, tableWidth: r.width)
        let wide = columns.count == 7
        let rows: [[(String, Style)]] = c.engines.map { e in
            let lag = top - e.height
            var row = [(e.node.terminalSafe, Style(e.node == c.node ? .accent : .text, bold: e.node == c.node)),
                       ("\(e.height)", Style()), ("\(lag)", Style(lag > 0 ? .warn : .muted, bold: lag > 0))]
            if wide { row += [("\(e.position)", Style(.muted)), ("\(e.checkpoint)", Style(.muted))] }
            row.append((ClusterWords.age(e, now: s.now), Style(.muted)))
            row.append((e.problem?.terminalSafe ?? "—", e.problem == nil ? Style(.muted) : Style(.error, bold: true)))
            return row
        }
        let selected = c.engines.firstIndex { $0.node == s.clusterSelected }
        Table(columns: columns, rows: rows, selected: selected).draw(in: r, into: &b, focused: focused)
    }

    static func etcdTitle(_ c: ClusterView) -> (String, Style) {
        if c.leader != nil { return ("ETCD MEMBERS", Style(.muted, bold: true)) }
        return ("ETCD MEMBERS · no leader: blocks wait for one", Style(.error, bold: true))
    }

    static func member(_ m: ClusterView.EtcdMemberView) -> (String, Style) {
        let endpoint = m.endpoint.terminalSafe
        guard m.reachable else { return ("\(endpoint)  unreachable: \((m.error ?? "no answer").terminalSafe)", Style(.error)) }
        let role = m.isLeader ? "leader" : "follower"
        return ("\(endpoint)  \(role)\(m.error.map { " · \($0.terminalSafe)" } ?? "")", Style(m.isLeader ? .accent : .text))
    }

    static func refused(_ c: ClusterView) -> (String, Style) {
        guard c.refusedEntries > 0 else { return ("refused entries 0", Style(.muted)) }
        let last = c.lastRefused.map { " · last: \($0.terminalSafe)" } ?? ""
        return ("refused entries \(c.refusedEntries)\(last)", Style(.warn, bold: true))
    }
}
