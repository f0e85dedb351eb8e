import ChainModel
import GovernanceEngine
import ServicePlatform

extension VoteBench {
    /// Vote-to-event latency at a steady offered load.
    func latency(offeredPerSecond rate: Double) async throws -> (p50: Double, p99: Double, offered: Double) {
        let total = Int(rate * scale.latencySeconds)
        let proposals = (total + voters.count - 1) / voters.count
        var votes: [Transaction] = []
        for _ in 0..<proposals { votes += await signVotes(on: try await propose(1, as: "ops2")[0]) }
        // Votes past `total` are never sent: give their senders their nonces back.
        let index = Dictionary(uniqueKeysWithValues: voters.enumerated().map { ($1.name, $0) })
        for unsent in votes.dropFirst(total) { nonces[index[unsent.sender]!] -= 1 }
        votes = Array(votes.prefix(total))
        progress.say("offering \(votes.count) votes at \(Int(rate))/s for latency")
        deliveries.startTiming()
        let platform = engine.platform
        let base = deliveries.tallies
        let started = ContinuousClock.now
        var sent = 0
        let outcomes = await withTaskGroup(of: [String].self) { group in
            while sent < votes.count {
                let due = min(votes.count, Int(rate * (ContinuousClock.now - started).seconds))
                if due > sent {
                    let batch = Array(votes[sent..<due])
                    // Each vote is timed from when it was due, so a late sender loop counts against latency.
                    deliveries.submitted(batch.map(\.id), due: (sent..<due).map { started + .seconds(Double($0) / rate) })
                    group.addTask {
                        await platform.submit(batch: batch).map { r in
                            switch r {
                            case .success: "ok"
                            case let .failure(e): "\(e)"
                            }
                        }
                    }
                    sent = due
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        let committed = outcomes.count { $0 == "ok" }
        if committed < outcomes.count {
            let reasons = Dictionary(grouping: outcomes.filter { $0 != "ok" }, by: { $0 }).map { "\($0.value.count)× \($0.key)" }
            throw BenchError("\(outcomes.count - committed) of \(outcomes.count) latency votes were refused: \(reasons.prefix(3).joined(separator: "; "))")
        }
        try await deliveries.wait(untilTallies: base + committed)
        let samples = deliveries.stopTiming()
        guard samples.count == committed else { throw BenchError("timed \(samples.count) of \(committed) votes to their events") }
        return (samples.percentile(50, in: .milliseconds(1)), samples.percentile(99, in: .milliseconds(1)), rate)
    }
}
