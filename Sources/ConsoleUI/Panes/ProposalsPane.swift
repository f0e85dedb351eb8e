import ChainModel
import Governance
import GovernanceAPI

/// The proposals table and, below it, the selected proposal: tally bars against the quorum and threshold
/// marks, the per-voter board, the permission, and its event history.
enum ProposalsPane {
    static func draw(_ s: ConsoleState, in r: Rect, focused: Bool, into b: inout ScreenBuffer, ascii: Bool) {
        let title = s.filter.isEmpty ? "Proposals" : "Proposals  filter: \(s.filter)"
        let inner = Box.draw(title, in: r, focused: focused, into: &b, ascii: ascii)
        let tableRect = ConsoleLayout.table(in: r)
        let list = s.shownProposals
        let wide = inner.width >= 60
        let columns = wide
            ? [Table.Column("ID", 3), Table.Column("OPERATION", 16), Table.Column("TARGET", 12), Table.Column("STATUS", 8),
               Table.Column("LEFT", 7), Table.Column("YOU", max(4, inner.width - 51))]
            : [Table.Column("ID", 3), Table.Column("OPERATION", 14), Table.Column("TARGET", 10), Table.Column("STATUS", 8),
               Table.Column("YOU", max(3, inner.width - 39))]
        func row(_ i: Int) -> [(String, Style)] {
            let p = list[i]
            let mine = s.snapshot?.myVotes[p.id]
            let (glyph, role) = Fmt.choiceGlyph(mine, ascii: ascii)
            var row: [(String, Style)] = [("\(p.id)", Style(.muted)), (p.operation, Style()), (p.target, Style()),
                                          (p.status, Style(Fmt.statusRole(p.status)))]
            if wide { row.append((p.status == "voting" ? Fmt.left(p.deadline, now: s.now) : "—", Style(.muted))) }
            row.append((mine.map { "\(glyph) \($0)" } ?? (p.status == "voting" ? "\(glyph) —" : ""), Style(role)))
            return row
        }
        let selectedRow = s.selected.flatMap { list.row(of: $0) }
        if list.isEmpty {
            b.put(s.filter.isEmpty ? "no proposals yet: press p to propose" : "no proposal matches the filter", x: tableRect.x, y: tableRect.y + 1, style: Style(.muted))
        } else {
            Table(columns: columns, count: list.count, selected: selectedRow, row: row).draw(in: tableRect, into: &b, focused: focused)
        }
        let detailRect = Rect(x: inner.x, y: tableRect.maxY, width: inner.width, height: inner.maxY - tableRect.maxY)
        guard detailRect.height >= 3, let summary = selectedRow.map({ list[$0] }) else { return }
        b.put(String(repeating: ascii ? "-" : "─", count: detailRect.width), x: detailRect.x, y: detailRect.y, style: Style(.border))
        drawDetail(s, summary, in: Rect(x: detailRect.x, y: detailRect.y + 1, width: detailRect.width, height: detailRect.height - 1),
                   into: &b, ascii: ascii)
    }

    static func drawDetail(_ s: ConsoleState, _ p: ProposalSummary, in r: Rect, into b: inout ScreenBuffer, ascii: Bool) {
        var row = 0
        func line(_ text: String, _ style: Style = Style()) { b.line(text, in: r, row: row, style: style); row += 1 }
        line("#\(p.id) \(p.summary)", Style(.title, bold: true))
        let left = p.status == "voting" ? " · \(Fmt.left(p.deadline, now: s.now)) left" : ""
        var x = b.put("by \(p.proposer) · ", x: r.x, y: r.y + row, style: Style(.muted), limit: r.width)
        x += b.put(p.status, x: r.x + x, y: r.y + row, style: Style(Fmt.statusRole(p.status), bold: true), limit: r.width - x)
        b.put(left, x: r.x + x, y: r.y + row, style: Style(.muted), limit: r.width - x)
        row += 1
        guard let detail = s.snapshot?.detail, detail.id == p.id else { return }
        let tally = s.tallies[p.id] ?? detail.tally
        let barWidth = max(8, min(40, r.width - 34))
        guard row < r.height else { return }
        // Turnout against the quorum mark.
        b.put("turnout ", x: r.x, y: r.y + row, style: Style(.muted))
        TallyBar.draw(approve: tally.approve, reject: tally.reject, abstain: tally.abstain, total: tally.total, quorum: detail.quorum,
                      x: r.x + 9, y: r.y + row, width: barWidth, into: &b, ascii: ascii)
        let quorumMet = tally.quorumReached(detail.quorum)
        b.put(" \(tally.voted)/\(tally.total) quorum \(Fmt.percent(detail.quorum)) \(quorumMet ? (ascii ? "ok" : "✓") : (ascii ? "no" : "✗"))",
              x: r.x + 9 + barWidth, y: r.y + row, style: Style(quorumMet ? .approve : .warn), limit: r.maxX - (r.x + 9 + barWidth))
        row += 1
        guard row < r.height else { return }
        // Approval among approve+reject against the threshold mark.
        let decided = tally.approve + tally.reject
        b.put("approval", x: r.x, y: r.y + row, style: Style(.muted))
        if decided > 0 {
            TallyBar.draw(approve: tally.approve, reject: tally.reject, abstain: 0, total: decided, quorum: detail.threshold,
                          x: r.x + 9, y: r.y + row, width: barWidth, into: &b, ascii: ascii)
        } else {
            b.put(String(repeating: ascii ? "." : "·", count: barWidth), x: r.x + 9, y: r.y + row, style: Style(.muted))
        }
        let share = decided == 0 ? 0 : Int(tally.approve * 100 / decided)
        let passing = tally.approvalExceeds(detail.threshold)
        b.put(" \(share)% threshold \(Fmt.percent(detail.threshold)) \(passing ? (ascii ? "ok" : "✓") : (ascii ? "no" : "✗"))",
              x: r.x + 9 + barWidth, y: r.y + row, style: Style(passing ? .approve : .warn), limit: r.maxX - (r.x + 9 + barWidth))
        row += 1
        guard row < r.height else { return }
        b.put("a \(tally.approve)  r \(tally.reject)  ab \(tally.abstain)", x: r.x + 9, y: r.y + row, style: Style(.muted), limit: r.width - 9)
        row += 1
        // The per-voter board, by name. Votes and pending voters each come in electorate order, which is
        // name order, so merging them up to what fits costs the visible cells, not the electorate.
        let cell = 16
        let perRow = max(1, r.width / cell)
        let fits = max(0, r.height - row) * perRow
        var board: [(voter: String, choice: String?)] = []
        var (v, p) = (detail.votes[...], detail.pending[...])
        while board.count < fits, !v.isEmpty || !p.isEmpty {
            if let next = v.first, p.first.map({ next.voter < $0 }) ?? true {
                board.append((next.voter, next.choice))
                v = v.dropFirst()
            } else {
                board.append((p.first!, nil))
                p = p.dropFirst()
            }
        }
        for (i, (voter, choice)) in board.enumerated() {
            if i % perRow == 0 { if i > 0 { row += 1 }; guard row < r.height else { return } }
            let (glyph, role) = Fmt.choiceGlyph(choice, ascii: ascii)
            let cx = r.x + (i % perRow) * cell
            b.put("\(glyph) \(voter)", x: cx, y: r.y + row, style: Style(role, bold: voter == s.identity), limit: min(cell - 1, r.maxX - cx))
        }
        row += 1
        guard row < r.height else { return }
        let perm = detail.permission
        var permText = "permission \(perm.state)"
        if let holder = perm.holder { permText += " · \(holder)" }
        if let expires = perm.expires, perm.state == "granted" { permText += " · expires in \(Fmt.left(expires, now: s.now))" }
        line(permText, Style(perm.state == "granted" ? .approve : perm.state == "expired" ? .warn : .muted))
        // Event history, newest last.
        let room = r.height - row
        guard room > 0 else { return }
        // Only as many as fit are looked at, from the newest back.
        var shown: [EventView] = []
        for e in detail.events.reversed() {
            if shown.count == room { break }
            if case .governance(.voteRequested) = e.event { continue }
            shown.append(e)
        }
        for e in shown.reversed() {
            let entry = FeedEntry(e)
            line("\(e.height) \(e.type) \(entry.text)", Style(entry.role))
        }
    }
}
