/// The highest offered rate that meets the objective, found by bisection between `low` and `high`:
/// `low` first, then the midpoint of the best rate known to pass and the lowest known, or assumed, to
/// fail, `steps` measurements in all. When even `low` fails, it halves the rate instead, so a system far
/// below the range still gets a figure and a curve rather than a bare zero.
struct SLOSearch: Sendable {
    var low: Double
    var high: Double
    var steps: Int
    var objective = Objective()

    struct Outcome: Sendable {
        /// The best step that met the objective; nil when none did.
        var best: CurvePoint?
        /// Every step measured, by offered rate.
        var curve: [CurvePoint]
    }

    func run(_ measure: (Double) async throws -> CurvePoint) async rethrows -> Outcome {
        precondition(low > 0 && high > low && steps >= 1)
        var curve: [CurvePoint] = []
        var best: CurvePoint?
        var passing: Double?
        var failing = high
        var rate = low
        for _ in 0..<steps {
            let point = try await measure(rate)
            curve.append(point)
            if objective.met(by: point) {
                if point.offeredPerS > best?.offeredPerS ?? 0 { best = point }
                passing = rate
            } else {
                failing = rate
            }
            rate = passing.map { ($0 + failing) / 2 } ?? failing / 2
        }
        return Outcome(best: best, curve: curve.sorted { $0.offeredPerS < $1.offeredPerS })
    }
}
