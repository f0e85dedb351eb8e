import Foundation

/// The figures of one run, as a table or as JSON (whose keys `.ci/run` and `GovbenchTests` read).
struct Report: Encodable {
    var mode: String
    var cores: Int
    var verifyCeilingPerS = 0.0
    var committedVotesPerS = 0.0
    var committedVotes = 0
    var ratio = 0.0
    var voteToEventP50Ms = 0.0
    var voteToEventP99Ms = 0.0
    var latencyOfferedPerS = 0.0
    var wasmCallsPerS = 0.0
    var frameMedianUs = 0.0
    var frameP99Us = 0.0
    var frameVoters = 0
    var peakRssMb = 0.0
    var coldStartS = 0.0
    var crashReopenS = 0.0, crashTailTransactions = 0, crashTailBlocks = 0

    enum CodingKeys: String, CodingKey {
        case mode, cores
        case verifyCeilingPerS = "verify_ceiling_per_s"
        case committedVotesPerS = "committed_votes_per_s"
        case committedVotes = "committed_votes"
        case ratio
        case voteToEventP50Ms = "vote_to_event_p50_ms"
        case voteToEventP99Ms = "vote_to_event_p99_ms"
        case latencyOfferedPerS = "latency_offered_per_s"
        case wasmCallsPerS = "wasm_calls_per_s"
        case frameMedianUs = "frame_median_us"
        case frameP99Us = "frame_p99_us"
        case frameVoters = "frame_voters"
        case peakRssMb = "peak_rss_mb"
        case coldStartS = "cold_start_s"
        case crashReopenS = "crash_reopen_s", crashTailTransactions = "crash_tail_transactions", crashTailBlocks = "crash_tail_blocks"
    }

    var table: String {
        func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }
        let rows: [(String, String, String)] = [
            ("verify ceiling", f(verifyCeilingPerS) + " /s", "Ed25519 verifications on \(cores) cores"),
            ("committed votes", f(committedVotesPerS) + " /s", "\(committedVotes) votes: verified, ordered, tallied, fsynced, pushed"),
            ("ratio", f(ratio, 3), "target ≥ 0.8"),
            ("vote→event p50", f(voteToEventP50Ms, 2) + " ms", "at \(f(latencyOfferedPerS)) votes/s offered (half the maximum)"),
            ("vote→event p99", f(voteToEventP99Ms, 2) + " ms", "target ≤ 50"),
            ("wasm calls", f(wasmCallsPerS) + " /s", "asset-ledger transfers, committed"),
            ("frame median", f(frameMedianUs) + " µs", "200×60, 1,000 proposals, \(frameVoters) voters, 10,000 events/s; target ≤ 2,000"),
            ("frame p99", f(frameP99Us) + " µs", ""),
            ("peak RSS", f(peakRssMb, 1) + " MB", "after the vote load; target ≤ 200"),
            ("cold start", f(coldStartS, 2) + " s", "open the ledger until the engine is ready; target ≤ 2"),
            ("crash reopen", f(crashReopenS, 2) + " s", "replaying \(crashTailTransactions) transactions in \(crashTailBlocks) blocks after a kill; target ≤ 5"),
        ]
        let w0 = rows.map(\.0.count).max()!, w1 = rows.map(\.1.count).max()!
        return "govbench (\(mode), \(cores) cores)\n" + rows.map { r in
            r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: w1 - r.1.count) + r.1 + "  " + r.2
        }.joined(separator: "\n")
    }
}
