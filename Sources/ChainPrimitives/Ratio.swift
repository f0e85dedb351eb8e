import Foundation
/// A fraction in parts per million, so that quorum and threshold boundaries compare exactly in integers.
public struct Ratio: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let denominator: UInt64 = 1_000_000
    public let ppm: UInt64

    public init?(ppm: UInt64) {
        guard ppm <= Ratio.denominator else { return nil }
        self.ppm = ppm
    }

    /// Accepts `0.5`, `.5`, `1`, `50%` or `66.67%`.
    public init?(parsing text: String) {
        var s = text.trimmingCharacters(in: .whitespaces)
        var scale: UInt64 = 1
        if s.hasSuffix("%") { s.removeLast(); scale = 100 }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !s.isEmpty,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        let whole = parts[0].isEmpty ? 0 : UInt64(parts[0])
        guard let whole, whole <= 100 else { return nil }
        var frac: UInt64 = 0
        var fracDigits = 0
        if parts.count == 2 {
            let f = parts[1]
            guard f.count <= 8, f.isEmpty || UInt64(f) != nil else { return nil }
            frac = UInt64(f) ?? 0
            fracDigits = f.count
        }
        var pow10: UInt64 = 1
        for _ in 0..<fracDigits { pow10 *= 10 }
        // value = (whole + frac/pow10) / scale, in ppm, rounded to nearest.
        let numerator = (whole * pow10 + frac) * Ratio.denominator
        let denom = pow10 * scale
        self.init(ppm: (numerator + denom / 2) / denom)
    }

    public static let half = Ratio(ppm: 500_000)!

    public var value: Double { Double(ppm) / Double(Ratio.denominator) }

    public static func < (a: Ratio, b: Ratio) -> Bool { a.ppm < b.ppm }

    public var description: String {
        let whole = ppm / Ratio.denominator
        var frac = String(ppm % Ratio.denominator)
        frac = String(repeating: "0", count: 6 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return frac.isEmpty ? "\(whole)" : "\(whole).\(frac)"
    }

    /// `part / whole ≥ self`, exactly.
    public func isMet(part: UInt64, of whole: UInt64) -> Bool {
        guard whole > 0 else { return false }
        return UInt128(part) * UInt128(Ratio.denominator) >= UInt128(whole) * UInt128(ppm)
    }

    /// `part / whole > self`, exactly; an empty whole exceeds nothing.
    public func isExceeded(part: UInt64, of whole: UInt64) -> Bool {
        guard whole > 0 else { return false }
        return UInt128(part) * UInt128(Ratio.denominator) > UInt128(whole) * UInt128(ppm)
    }
}
