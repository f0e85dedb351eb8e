import GovernanceAPI

/// A grid of cells that widgets draw into. The backend flushes only the cells that differ from the
/// previous frame, and tests read the text of it. Text takes its display width: a wide character two
/// cells, a combining one none of its own.
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
        set { if x >= 0, y >= 0, x < width, y < height { store(newValue, at: y * width + x) } }
    }

    /// Writes `text` from (x, y), clipped to `limit` columns and to the buffer. Returns the columns used.
    /// Control characters are shown escaped (`\x1b`), so no text, whoever wrote it, reaches the terminal
    /// as a command. A wide character that would cross the edge is left out and its first column padded.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let end = min(width, limit.map { x + $0 } ?? width)
        var col = x
        // Printable ASCII, most of what a frame draws: one cell a byte, nothing to escape or join.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for byte in text.utf8 {
                guard col < end else { break }
                if col >= 0 { store(Cell(Character(Unicode.Scalar(byte)), style), at: y * width + col) }
                col += 1
            }
            return max(0, col - x)
        }
        var last: Int?   // the cell this call wrote last, which a zero-width character joins
        for ch in TerminalText.escaped(text) {
            let w = DisplayWidth.columns(ch)
            if w == 0 {
                if let last { join(ch, at: last) }
                continue
            }
            guard col < end else { break }
            guard col + w <= end else {
                if col >= 0 { store(Cell(" ", style), at: y * width + col) }
                col += 1
                break
            }
            if col >= 0 {
                store(Cell(ch, style), at: y * width + col)
                if w == 2 { store(Cell(" ", style, continuation: true), at: y * width + col + 1) }
                last = y * width + col
            } else if col + w > 0 {
                store(Cell(" ", style), at: y * width)   // the right half of a character cut at the left edge
            }
            col += w
        }
        return max(0, col - x)
    }

    /// Adds a zero-width character to the grapheme in cell `i` when they form one; one that cannot
    /// (a zero-width space) has nothing to draw and is left out.
    private mutating func join(_ ch: Character, at i: Int) {
        let joined = String(cells[i].char) + String(ch)
        if joined.count == 1, let combined = joined.first { cells[i].char = combined }
    }

    /// Every write goes through here, so no wide character is ever left with one half: writing over
    /// either half blanks the other.
    private mutating func store(_ cell: Cell, at i: Int) {
        if cells[i].continuation, !cell.continuation { cells[i - 1].char = " " }   // never in column 0
        if i + 1 < cells.count, cells[i + 1].continuation { cells[i + 1] = Cell(" ", cells[i + 1].style) }
        cells[i] = cell
    }

    /// Writes `text` within `rect`'s row `row`, padding the rest of the row with blanks in `style`.
    public mutating func line(_ text: String, in rect: Rect, row: Int, style: Style = .plain) {
        guard row >= 0, row < rect.height else { return }
        let used = put(text, x: rect.x, y: rect.y + row, style: style, limit: rect.width)
        if used < rect.width { fill(Rect(x: rect.x + used, y: rect.y + row, width: rect.width - used, height: 1), style: style) }
    }

    public mutating func fill(_ rect: Rect, char: Character = " ", style: Style = .plain) {
        for yy in max(0, rect.y)..<min(height, rect.maxY) {
            let (first, last) = (max(0, rect.x), min(width, rect.maxX) - 1)
            guard first <= last else { continue }
            let cell = Cell(char, style)
            // Only the edges can cut a wide character in two; inside, both halves are overwritten.
            store(cell, at: yy * width + first)
            if last > first { store(cell, at: yy * width + last) }
            for xx in stride(from: first + 1, to: last, by: 1) { cells[yy * width + xx] = cell }
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
            var row = String(cells[(y * width)..<(y * width + width)].filter { !$0.continuation }.map(\.char))
            while row.last == " " { row.removeLast() }
            return row
        }.joined(separator: "\n")
    }
}
