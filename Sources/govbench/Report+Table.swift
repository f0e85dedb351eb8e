import Foundation

/// The report as people read it: the figure users live with first, then the curves it was found on.
extension Report {
    var table: String {
        func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }
        var rows: [(String, String, String)] = [
            ("votes at p99 ≤ 50 ms", f(sloVotesPerS) + " /s", "engine request path, open loop, p99 \(f(sloP99Ms, 1)) ms"),
            ("  ratio to ceiling", f(sloRatio, 3), "target ≥ 0.6"),
            ("  through the service", f(serviceVotesPerS) + " /s", "\(serviceConnections) connections over a Unix socket, p99 \(f(serviceP99Ms, 1)) ms"),
            ("  service ratio", f(serviceRatio, 3), "service / engine; target ≥ 0.8"),
            ("verify ceiling", f(verifyCeilingPerS) + " /s",
             "Ed25519 on \(cores) cores, larger of \(f(verifyCeilingBeforePerS)) before and \(f(verifyCeilingAfterPerS)) after the load"),
            ("committed votes", f(committedVotesPerS) + " /s", "\(committedVotes) votes in big pre-signed batches; \(f(ratio, 3)) of the ceiling"),
            ("wasm calls", f(wasmCallsPerS) + " /s", "asset-ledger transfers, committed"),
            ("frame median", f(frameMedianUs) + " µs", "200×60, 1,000 proposals, \(frameVoters) voters, 10,000 events/s; target ≤ 2,000"),
            ("frame p99", f(frameP99Us) + " µs", ""),
            ("peak RSS", f(peakRssMb, 1) + " MB", "after the vote load; target ≤ 200"),
            ("cold start", f(coldStartS, 2) + " s", "open the ledger until the engine is ready; target ≤ 2"),
            ("crash reopen", f(crashReopenS, 2) + " s", "replaying \(crashTailTransactions) transactions in \(crashTailBlocks) blocks after a kill; target ≤ 5"),
        ]
        if let cluster = clusterVotesPerS {
            rows.insert(contentsOf: [
                ("  through a cluster", f(cluster) + " /s", "\(clusterEngines ?? 0) engines ordering through a local 3-member etcd, p99 \(f(clusterP99Ms ?? 0, 1)) ms"),
                ("  cluster ratio", f(clusterRatio ?? 0, 3), "cluster / engine; target ≥ 0.5; etcd takes \(f(etcdPutsPerS ?? 0)) small writes/s here"),
            ], at: 4)
        }
        let w0 = rows.map(\.0.count).max()!, w1 = rows.map(\.1.count).max()!
        let figures = rows.map { r in
            r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: w1 - r.1.count) + r.1 + "  " + r.2
        }
        return (["govbench (\(mode), \(cores) cores)"] + figures
            + ["", "engine, \(sloClients) clients sending 1–16 votes at a time:"] + Self.curve(sloCurve)
            + ["", "service, the same clients over \(serviceConnections) connections:"] + Self.curve(serviceCurve)
            + (clusterCurve.map { ["", "cluster, the same clients over \(clusterEngines ?? 0) engines:"] + Self.curve($0) } ?? [])).joined(separator: "\n")
    }

    /// A curve's steps by offered rate; a step passes when it got ≥ 95% through, refused none, p99 ≤ 50 ms.
    static func curve(_ points: [CurvePoint]) -> [String] {
        let objective = Objective()
        return ["   offered/s  achieved/s     p50 ms     p99 ms"]
            + points.map { p in
                String(format: "  %10.0f  %10.0f  %9.2f  %9.2f  %@", p.offeredPerS, p.achievedPerS, p.p50Ms, p.p99Ms,
                       objective.met(by: p) ? "meets" : p.refused > 0 ? "\(p.refused) refused" : p.abandoned > 0 ? "overloaded" : "misses")
            }
    }
}
