import Foundation
/// Durations as people type them: `90s`, `10m`, `24h`, `7d`, `1h30m`, `500ms`. Stored as milliseconds.
public enum DurationText {
    public static func parse(_ text: String) -> UInt64? {
        let units: [(String, UInt64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total: UInt64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let n = UInt64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix(while: { $0.isLetter })
            guard let unit = units.first(where: { $0.0 == String(letters) }) else { return nil }
            rest = rest.dropFirst(letters.count)
            let (product, overflow) = n.multipliedReportingOverflow(by: unit.1)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }

    /// The two largest units, for time left or time since: `45s`, `5m03s`, `23h59m`, `2d4h`.
    public static func approximate(seconds: Int) -> String {
        let s = max(0, seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(two((s % 3600) / 60))m" }
        return "\(s / 86_400)d\((s % 86_400) / 3600)h"
    }

    public static func format(_ ms: UInt64) -> String {
        if ms == 0 { return "0s" }
        if ms % 1000 != 0 && ms < 60_000 { return "\(ms)ms" }
        var s = ms / 1000
        var out = ""
        for (unit, size) in [("d", UInt64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where s >= size {
            out += "\(s / size)\(unit)"
            s %= size
        }
        return out
    }
}
