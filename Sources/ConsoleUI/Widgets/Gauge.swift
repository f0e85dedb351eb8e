import ChainPrimitives

/// A horizontal gauge split between the old version (left, `gaugeOld`) and the new (right, `gaugeNew`).
public enum Gauge {
    public static func draw(newPercent: Int, x: Int, y: Int, width: Int, into b: inout ScreenBuffer, ascii: Bool = false) {
        guard width > 0 else { return }
        let (oldCells, newCells) = RoutingGauge.cells(newPercent: newPercent, width: width)
        b.put(String(repeating: ascii ? "-" : "░", count: oldCells), x: x, y: y, style: Style(.gaugeOld))
        b.put(String(repeating: ascii ? "#" : "█", count: newCells), x: x + oldCells, y: y, style: Style(.gaugeNew))
    }
}

/// A tally bar: approve, reject and abstain weights against the total, with the quorum mark.
public enum TallyBar {
    public static func draw(approve: UInt64, reject: UInt64, abstain: UInt64, total: UInt64, quorum: Ratio,
                            x: Int, y: Int, width: Int, into b: inout ScreenBuffer, ascii: Bool = false) {
        guard width > 0, total > 0 else { return }
        func cells(_ w: UInt64) -> Int { Int((w * UInt64(width) + total / 2) / total) }
        var col = x
        // Distinct glyphs, so the bar still reads without colour.
        for (w, role, glyph) in [(approve, ThemeRole.approve, ascii ? "+" : "█"), (reject, .reject, ascii ? "x" : "▓"),
                                 (abstain, .abstain, ascii ? "~" : "▒")] {
            let n = min(cells(w), x + width - col)
            b.put(String(repeating: glyph, count: n), x: col, y: y, style: Style(role))
            col += n
        }
        b.put(String(repeating: ascii ? "." : "·", count: max(0, x + width - col)), x: col, y: y, style: Style(.muted))
        // The quorum mark sits where the voted weight must reach.
        let cells = (quorum.ppm * UInt64(width) + Ratio.denominator - 1) / Ratio.denominator
        let mark = x + min(width - 1, Int(cells))
        let voted = approve + reject + abstain
        b[mark, y] = Cell(ascii ? "|" : "┃", Style(quorum.isMet(part: voted, of: total) ? .approve : .warn, bold: true))
    }
}

/// A sparkline of recent values, newest on the right.
public enum Sparkline {
    static let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func draw(_ values: [Double], x: Int, y: Int, width: Int, into b: inout ScreenBuffer, style: Style = Style(.accent), ascii: Bool = false) {
        guard width > 0 else { return }
        let shown = Array(values.suffix(width))
        let top = max(shown.max() ?? 0, 1)
        var col = x + width - shown.count
        for v in shown {
            let level = Int((v / top * 8).rounded())
            let ch: Character = ascii ? (level == 0 ? " " : level < 4 ? "." : level < 7 ? "o" : "O") : levels[max(0, min(8, level))]
            b[col, y] = Cell(ch, style)
            col += 1
        }
    }
}
