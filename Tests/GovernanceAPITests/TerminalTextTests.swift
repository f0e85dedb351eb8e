import GovernanceAPI
import Testing

/// The one escaping function and the one width function every human output uses.
struct TerminalTextTests {
    /// (input, escaped for one line, escaped keeping newlines)
    static let escapes: [(String, String, String)] = [
        ("plain text", "plain text", "plain text"),
        ("中文 👍 é", "中文 👍 é", "中文 👍 é"),
        ("e\u{301}", "e\u{301}", "e\u{301}"),
        ("a\u{200D}b", "a\u{200D}b", "a\u{200D}b"),
        ("\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31m", "\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31m", "\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31m"),
        ("a\tb", "a\\tb", "a\\tb"),
        ("line 1\nline 2\r", "line 1\\nline 2\\r", "line 1\nline 2\\r"),
        ("\u{0}\u{7F}", "\\x00\\x7f", "\\x00\\x7f"),
        ("\u{9B}31m", "\\u009b31m", "\\u009b31m"),
        ("\u{85}", "\\u0085", "\\u0085"),
        ("abc\u{202E}fed", "abc\\u202efed", "abc\\u202efed"),
        ("\u{2066}x\u{2069}\u{200E}\u{200F}\u{2028}", "\\u2066x\\u2069\\u200e\\u200f\\u2028", "\\u2066x\\u2069\\u200e\\u200f\\u2028"),
        ("already \\x1b escaped", "already \\x1b escaped", "already \\x1b escaped"),
    ]

    @Test(arguments: escapes.indices)
    func escapesEveryCharacterThatCouldSteerATerminal(_ i: Int) {
        let (input, oneLine, multiLine) = Self.escapes[i]
        #expect(TerminalText.escaped(input) == oneLine)
        #expect(input.terminalSafe == oneLine)
        #expect(TerminalText.escaped(input, keepingNewlines: true) == multiLine)
        // Escaping twice changes nothing: a captured output may be escaped again by the log.
        #expect(TerminalText.escaped(oneLine) == oneLine)
    }

    @Test func nothingEscapedIsLeftRaw() {
        let all = String(String.UnicodeScalarView((0...0x2FFF).compactMap(Unicode.Scalar.init)))
        let safe = TerminalText.escaped(all)
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
    }

    /// (text, columns of its first scalar, columns of the text as shown)
    static let widths: [(String, Int?, Int)] = [
        ("a", 1, 1),
        ("中", 2, 2),
        ("中文", 2, 4),
        ("ｱ", 1, 1),            // halfwidth katakana
        ("Ａ", 2, 2),           // fullwidth A
        ("한", 2, 2),
        ("👍", 2, 2),
        ("e\u{301}", 1, 1),     // e + combining acute: one cell
        ("\u{301}", 0, 0),
        ("\u{200D}", 0, 0),     // zero-width joiner
        ("\u{200B}", 0, 0),     // zero-width space
        ("🇨🇳", 1, 1),          // regional indicators: one column each to wcwidth; the pair is one grapheme
        ("\t", nil, 2),         // shown as \t
        ("\u{1B}", nil, 4),     // \x1b
        ("\u{9B}", nil, 6),     // \u009b
        ("\u{7F}", nil, 4),     // \x7f
        ("\u{202E}", nil, 6),   // \u202e
    ]

    @Test(arguments: widths.indices)
    func countsDisplayColumns(_ i: Int) {
        let (text, scalarColumns, shown) = Self.widths[i]
        #expect(DisplayWidth.columns(text.unicodeScalars.first!) == scalarColumns, "\(text.debugDescription)")
        #expect(DisplayWidth.of(text) == shown, "\(text.debugDescription)")
    }

    @Test func padsToColumnsNotCharacters() {
        #expect(DisplayWidth.padded("中文", to: 6) == "中文  ")
        #expect(DisplayWidth.padded("ab", to: 6) == "ab    ")
        #expect(DisplayWidth.padded("toolong", to: 3) == "toolong")
    }
}
