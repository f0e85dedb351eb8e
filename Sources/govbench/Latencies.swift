import Histogram

/// Durations kept as a histogram rather than a list: memory stays the same however many are recorded,
/// and a percentile is exact to three significant digits (a value's bucket, reported by its upper edge).
struct Latencies: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    var count: Int { Int(histogram.totalCount) }

    /// What the histogram occupies now; it grows with the largest value recorded, never with the count.
    var footprintBytes: Int { histogram.estimatedFootprintInBytes }

    mutating func record(_ duration: Duration) {
        histogram.record(UInt64(max(0, duration.nanoseconds)))
    }

    /// The `p`th percentile by nearest rank, in `unit`s (0 when nothing was recorded).
    func percentile(_ p: Double, in unit: Duration) -> Double {
        guard count > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(p)) / Double(unit.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
