import ChainPrimitives
import Foundation
import GovernanceAPI

/// Formatting shared by every command: JSON with stable keys, aligned tables, readable times.
enum Output {
    /// `line` gives one compact line per value, for streams (`events --follow --json`).
    static func json<T: Encodable>(_ value: T, line: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = line ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return jsonEscaped(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// JSON text with DEL, C1 controls and bidirectional characters written as `\u` escapes too. The
    /// encoder escapes only what JSON requires (below U+0020); these may stand raw in a JSON string, but
    /// `events --follow --json` is often watched on a terminal. They can occur only inside strings, so
    /// the text decodes to exactly the same values.
    static func jsonEscaped(_ json: String) -> String {
        // Below U+007F only the encoder's own layout (line feeds, spaces) stands raw: it stays.
        func raw(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x7F && TerminalText.needsEscape(scalar) }
        guard json.unicodeScalars.contains(where: raw) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard raw(scalar) else { out.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(out)
    }

    /// Columns padded to their widest cell in terminal columns (中 takes two); the last column is not
    /// padded. A cell is one line: a line feed in it is escaped, so a value cannot forge a row.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = ([header] + rows).map { $0.map(\.terminalSafe) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.of(cell)) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : DisplayWidth.padded(cell, to: widths[i])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Human output as it may reach the terminal: the program's own line breaks kept, every other
    /// control character escaped. Every human-readable write goes through here (`emit`, `line`, `warn`).
    static func human(_ text: String) -> String { TerminalText.escaped(text, keepingNewlines: true) }

    /// Writes one line to standard output at once, unbuffered (a follower's reader wants each as it
    /// happens). A JSON line passes unchanged: `json` left nothing in it to escape.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((human(text) + "\n").utf8))
    }

    /// One format style for every row: building a formatter per call dominated long listings.
    private static let iso = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)

    /// `2026-11-25 04:42:11 UTC`.
    static func time(_ date: Date) -> String {
        date.formatted(iso).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// `in 23h59m`, `4m ago`.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded())
        let text = DurationText.approximate(seconds: abs(seconds))
        return seconds >= 0 ? "in \(text)" : "\(text) ago"
    }

    static func tally(_ t: TallyView) -> String {
        "approve \(t.approve), reject \(t.reject), abstain \(t.abstain) (\(t.voted) of \(t.total) voted)"
    }
}

/// Writes one line to standard error; a line feed inside it (from quoted text) is escaped too.
func warn(_ line: String) {
    FileHandle.standardError.write(Data((line.terminalSafe + "\n").utf8))
}
