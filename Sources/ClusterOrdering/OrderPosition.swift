import Foundation

/// The last position of the order the ledger has taken, kept beside the ledger so a restarted engine
/// reads the order from there instead of from its start. It may lag the truth (it is written now and
/// then, without an fsync): reading from an earlier position only meets blocks already taken again.
enum OrderPosition {
    static func path(ledger: String) -> String { "\(ledger)/order-position" }

    static func read(ledger: String) -> UInt64 {
        guard let text = try? String(contentsOfFile: path(ledger: ledger), encoding: .utf8) else { return 0 }
        return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func write(_ position: UInt64, ledger: String) {
        let p = path(ledger: ledger)
        try? "\(position)\n".write(toFile: p, atomically: true, encoding: .utf8)
    }
}
