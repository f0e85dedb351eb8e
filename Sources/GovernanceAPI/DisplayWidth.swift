
/// How many terminal columns text takes, as wcwidth counts them, from Unicode properties and a table of
/// the East Asian Wide and Fullwidth ranges; pure Swift, so tests do not depend on the process locale.
public enum DisplayWidth {
    /// Columns of one scalar: 2 for wide, 0 for combining and zero-width, nil for a control character
    /// (which is escaped before it is shown, never measured as it is).
    public static func columns(_ scalar: Unicode.Scalar) -> Int? {
        let v = scalar.value
        if v < 0x300 { return TerminalText.needsEscape(scalar) ? nil : 1 }   // the common case: one compare
        // Box drawing, arrows, punctuation and symbols draw every frame: looked up, not recomputed.
        if v < UInt32(common.count) {
            let w = common[Int(v)]
            return w < 0 ? nil : Int(w)
        }
        return measure(scalar)
    }

    /// Widths below U+3000, computed once.
    private static let common: [Int8] = (0..<0x3000).map { v in
        guard let scalar = Unicode.Scalar(UInt32(v)) else { return 1 }
        return measure(scalar).map(Int8.init) ?? -1
    }

    private static func measure(_ scalar: Unicode.Scalar) -> Int? {
        let v = scalar.value
        if TerminalText.needsEscape(scalar) { return nil }
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }   // Hangul medial jamo, zero-width space
        // Regional indicators have emoji presentation, but wcwidth (and so ncurses) counts them as one.
        if (0x1F1E6...0x1F1FF).contains(v) { return 1 }
        if scalar.properties.isEmojiPresentation || isWide(v) { return 2 }
        return 1
    }

    /// Columns of a grapheme: those of its first scalar. The rest (combining marks, joiners, selectors)
    /// draw in the same cells; a grapheme that starts with a control character is measured escaped.
    public static func columns(_ ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 0 }
        return columns(first) ?? TerminalText.escaped(String(ch)).count
    }

    /// Columns `text` takes once escaped for the terminal.
    public static func of(_ text: String) -> Int {
        TerminalText.escaped(text).reduce(0) { $0 + columns($1) }
    }

    /// `text` padded with spaces to `width` columns (never cut).
    public static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - of(text)))
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges without emoji presentation (Unicode 15), sorted.
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x2E99, 0x2E9B...0x2EF3, 0x2F00...0x2FD5, 0x2FF0...0x2FFB,
        0x3000...0x303E, 0x3041...0x3096, 0x3099...0x30FF, 0x3105...0x312F, 0x3131...0x318E, 0x3190...0x31E3,
        0x31F0...0x321E, 0x3220...0x3247, 0x3250...0x4DBF, 0x4E00...0xA48C, 0xA490...0xA4C6, 0xA960...0xA97C,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE52, 0xFE54...0xFE66, 0xFE68...0xFE6B,
        0xFF01...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x187F7,
        0x18800...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B122, 0x1B132...0x1B132, 0x1B150...0x1B152,
        0x1B155...0x1B155, 0x1B164...0x1B167, 0x1B170...0x1B2FB, 0x1F200...0x1F202, 0x1F210...0x1F23B,
        0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        guard v >= 0x1100 else { return false }
        var (lo, hi) = (0, wide.count - 1)
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wide[mid].lowerBound { hi = mid - 1 } else if v > wide[mid].upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}
