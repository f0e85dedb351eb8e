/// A grid of cells that widgets draw into. The backend flushes only the cells that differ from the
/// previous frame, and tests read the text of it.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y), clipped to `limit` columns and to the buffer. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let end = min(width, limit.map { x + $0 } ?? width)
        var col = x
        for ch in text {
            guard col < end else { break }
            if col >= 0 { cells[y * width + col] = Cell(ch == "\t" || ch == "\n" ? " " : ch, style) }
            col += 1
        }
        return max(0, col - x)
    }

    /// Writes `text` within `rect`'s row `row`, padding the rest of the row with blanks in `style`.
    public mutating func line(_ text: String, in rect: Rect, row: Int, style: Style = .plain) {
        guard row >= 0, row < rect.height else { return }
        let used = put(text, x: rect.x, y: rect.y + row, style: style, limit: rect.width)
        if used < rect.width { fill(Rect(x: rect.x + used, y: rect.y + row, width: rect.width - used, height: 1), style: style) }
    }

    public mutating func fill(_ rect: Rect, char: Character = " ", style: Style = .plain) {
        for yy in max(0, rect.y)..<min(height, rect.maxY) {
            for xx in max(0, rect.x)..<min(width, rect.maxX) { cells[yy * width + xx] = Cell(char, style) }
        }
    }

    /// Sets the style of every cell in `rect`, keeping the characters.
    public mutating func restyle(_ rect: Rect, _ style: Style) {
        for yy in max(0, rect.y)..<min(height, rect.maxY) {
            for xx in max(0, rect.x)..<min(width, rect.maxX) { cells[yy * width + xx].style = style }
        }
    }

    /// The cells that differ from `previous`, row by row. A buffer of another size differs everywhere.
    public func changes(since previous: ScreenBuffer?) -> [(x: Int, y: Int, cell: Cell)] {
        var out: [(x: Int, y: Int, cell: Cell)] = []
        let same = previous.map { $0.width == width && $0.height == height } ?? false
        for i in cells.indices where !same || previous!.cells[i] != cells[i] {
            out.append((i % width, i / width, cells[i]))
        }
        return out
    }

    /// The screen as text, one line per row, trailing blanks trimmed: what a snapshot test compares.
    public var text: String {
        (0..<height).map { y in
            var row = String(cells[(y * width)..<(y * width + width)].map(\.char))
            while row.last == " " { row.removeLast() }
            return row
        }.joined(separator: "\n")
    }
}
