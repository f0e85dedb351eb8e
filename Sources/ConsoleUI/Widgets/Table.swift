/// A table with a header row, fixed column widths, a selected row and scrolling to keep it visible.
public struct Table {
    public struct Column {
        public let title: String
        public let width: Int
        public init(_ title: String, _ width: Int) { self.title = title; self.width = width }
    }

    public let columns: [Column]
    public let count: Int
    public let selected: Int?
    /// Row `i`'s cells, asked only for the rows on screen: a table of a thousand shows a few dozen.
    let row: (Int) -> [(String, Style)]

    public init(columns: [Column], rows: [[(String, Style)]], selected: Int?) {
        self.init(columns: columns, count: rows.count, selected: selected) { rows[$0] }
    }

    public init(columns: [Column], count: Int, selected: Int?, row: @escaping (Int) -> [(String, Style)]) {
        self.columns = columns
        self.count = count
        self.selected = selected
        self.row = row
    }

    /// The first row shown so that `selected` is visible in `visible` rows.
    public static func offset(selected: Int?, count: Int, visible: Int) -> Int {
        guard let selected, visible > 0 else { return 0 }
        return max(0, min(selected - visible + 1, count - visible, selected))
            .clamped(0, max(0, count - visible))
    }

    public func draw(in rect: Rect, into b: inout ScreenBuffer, focused: Bool) {
        guard rect.height > 0 else { return }
        var x = rect.x
        for c in columns {
            b.put(c.title, x: x, y: rect.y, style: Style(.muted, bold: true), limit: min(c.width, rect.maxX - x))
            x += c.width + 1
        }
        let visible = rect.height - 1
        let first = Table.offset(selected: selected, count: count, visible: visible)
        for i in 0..<max(0, min(visible, count - first)) {
            let y = rect.y + 1 + i
            let isSelected = first + i == selected
            if isSelected { b.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: Style(.selected, bg: focused ? .selected : nil)) }
            var x = rect.x
            for (c, (text, style)) in zip(columns, row(first + i)) {
                var s = style
                if isSelected { if focused { s.bg = .selected } else { s.bold = true } }
                b.put(text, x: x, y: y, style: s, limit: min(c.width, rect.maxX - x))
                x += c.width + 1
            }
        }
    }
}

extension Int {
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.max(lo, Swift.min(hi, self)) }
}
