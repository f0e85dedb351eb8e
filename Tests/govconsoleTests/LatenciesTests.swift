@testable import govbench
import Testing

/// govbench's percentiles come from a histogram: bounded memory, and the nearest-rank figures of the
/// sorted list it replaced to within its three significant digits.
@Suite struct LatenciesTests {
    @Test func percentilesMatchTheSortedSamplesToThreeDigits() {
        var latencies = Latencies()
        // 1 µs to 10 ms, in a scrambled order.
        let samples = (1...10_000).map { Duration.microseconds(($0 * 7_919) % 10_000 + 1) }
        for s in samples { latencies.record(s) }
        let sorted = samples.map { Double($0.nanoseconds) / 1_000 }.sorted()
        #expect(latencies.count == samples.count)
        for p in [50.0, 90, 99, 99.9] {
            let exact = sorted[Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1]
            let measured = latencies.percentile(p, in: .microseconds(1))
            #expect(measured >= exact && measured <= exact * 1.001, "p\(p): \(measured) µs, sorted list says \(exact) µs")
        }
        #expect(Latencies().percentile(99, in: .milliseconds(1)) == 0)
    }

    @Test func memoryStaysTheSameHoweverManyAreRecorded() {
        var latencies = Latencies()
        latencies.record(.seconds(60))
        let footprint = latencies.footprintBytes
        for i in 0..<1_000_000 { latencies.record(.microseconds(i % 50_000)) }
        #expect(latencies.count == 1_000_001)
        #expect(latencies.footprintBytes == footprint)
        #expect(latencies.percentile(100, in: .seconds(1)) >= 60)
    }
}
