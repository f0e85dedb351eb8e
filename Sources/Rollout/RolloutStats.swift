import ChainPrimitives

/// Calls, failures and cost of one version over its most recent calls: the evidence a health gate reads.
/// Kept in chain state and updated by every node identically, so the gate's decision replays exactly.
public struct RolloutStats: Hashable, Sendable {
    public static let window = 500

    /// Most recent samples, oldest first, at most `window` of them.
    private var samples: [Sample] = []
    private var next = 0
    public private(set) var calls: UInt64 = 0
    public private(set) var failures: UInt64 = 0
    public private(set) var cost: UInt64 = 0
    /// Since the version was deployed, not just the window.
    public private(set) var totalCalls: UInt64 = 0
    public private(set) var totalFailures: UInt64 = 0

    struct Sample: Hashable, Sendable {
        let failed: Bool
        let cost: UInt64
    }

    public init() {}

    public mutating func record(failed: Bool, cost sampleCost: UInt64) {
        let sample = Sample(failed: failed, cost: sampleCost)
        if samples.count == RolloutStats.window {
            let gone = samples[next]
            if gone.failed { failures -= 1 }
            cost -= gone.cost
            samples[next] = sample
            next = (next + 1) % RolloutStats.window
        } else {
            samples.append(sample)
        }
        calls = UInt64(samples.count)
        if failed { failures += 1; totalFailures += 1 }
        cost += sampleCost
        totalCalls += 1
    }

    /// Failures per million calls in the window.
    public var failurePPM: UInt64 { calls == 0 ? 0 : failures * 1_000_000 / calls }
    public var meanCost: UInt64 { calls == 0 ? 0 : cost / calls }
}

/// The health gate's thresholds, part of the policy: the new version may fail at most `margin` more
/// than the old one, judged once it has served at least `minCalls` calls in the window.
public struct HealthGate: Hashable, Sendable {
    public var margin: Ratio
    public var minCalls: UInt64

    public static let `default` = HealthGate(margin: Ratio(ppm: 100_000)!, minCalls: 50)

    public init(margin: Ratio, minCalls: UInt64) {
        self.margin = margin
        self.minCalls = minCalls
    }

    /// Why the new version should be rolled back, or nil while it is healthy or unproven.
    public func verdict(old: RolloutStats, new: RolloutStats, oldVersion: String, newVersion: String) -> String? {
        guard new.calls >= minCalls, new.failurePPM > old.failurePPM + margin.ppm else { return nil }
        func pct(_ ppm: UInt64) -> String { "\(ppm / 10_000).\(ppm % 10_000 / 1000)%" }
        return "\(newVersion) failed \(pct(new.failurePPM)) of its last \(new.calls) calls against \(pct(old.failurePPM)) for \(oldVersion), over the \(pct(margin.ppm)) margin"
    }
}

// Here rather than with the rest of the state's encoding because the window is private.
extension RolloutStats: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.array(samples) { w, s in w.bool(s.failed); w.u64(s.cost) }
        w.u32(UInt32(next)); w.u64(calls); w.u64(failures); w.u64(cost); w.u64(totalCalls); w.u64(totalFailures)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        samples = try r.array(limit: RolloutStats.window) { r throws(DecodingFailure) in Sample(failed: try r.bool(), cost: try r.u64()) }
        next = Int(try r.u32())
        calls = try r.u64(); failures = try r.u64(); cost = try r.u64(); totalCalls = try r.u64(); totalFailures = try r.u64()
        // The counters are sums over the window: anything else was not written by `encode`.
        guard next < max(samples.count, 1), samples.count == RolloutStats.window || next == 0,
              calls == UInt64(samples.count), failures == UInt64(samples.count { $0.failed }),
              cost == samples.reduce(0, { $0 &+ $1.cost }), totalCalls >= calls, totalFailures >= failures, totalFailures <= totalCalls else {
            throw DecodingFailure("statistics window inconsistent with its counters")
        }
    }
}
