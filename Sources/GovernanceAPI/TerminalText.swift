
/// Text bound for a terminal. Any member can put arbitrary bytes on chain (call arguments become event
/// data and call results), so every human-readable output passes through `escaped` where it meets the
/// terminal: CLI text, the console's cells and its log. `--json` stays exact and does not.
public enum TerminalText {
    /// `text` with every character that could steer a terminal or reorder what it shows made visible:
    /// C0 controls, DEL, C1 controls (U+009B is a one-byte CSI) and bidirectional overrides, isolates and
    /// marks. `keepingNewlines` keeps line feeds, for output whose lines the program laid out itself; a
    /// line feed inside untrusted text is escaped, so it cannot forge a line.
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        // Most text has nothing to escape: return it unchanged without building a new string.
        guard text.unicodeScalars.contains(where: { needsEscape($0) && !(keepingNewlines && $0 == "\n") }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !needsEscape(scalar) || (keepingNewlines && scalar == "\n") {
                out.append(scalar)
            } else {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            }
        }
        return String(out)
    }

    /// Whether `scalar` is shown as an escape rather than sent to the terminal.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true                 // C0, DEL, C1
        case 0x061C, 0x200E, 0x200F: true                    // bidirectional marks
        case 0x202A...0x202E, 0x2066...0x2069: true          // bidirectional embeddings, overrides, isolates
        case 0x2028, 0x2029: true                            // line and paragraph separators
        default: false
        }
    }

    /// `\t`, `\n`, `\r`; `\x1b` below U+0080; `\u009b` above.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\t": return "\\t"
        case "\n": return "\\n"
        case "\r": return "\\r"
        default:
            let hex = String(scalar.value, radix: 16)
            return scalar.value < 0x80
                ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }
}

extension String {
    /// This text as a terminal may show it: one line, every control character escaped.
    public var terminalSafe: String { TerminalText.escaped(self) }
}
