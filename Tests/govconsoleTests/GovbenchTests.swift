import Foundation
import Testing

/// The benchmark's quick run works end to end and reports every figure issue 6 names. Speed is not
/// asserted here (a debug build on a shared machine); the figures are for `swift run -c release govbench`.
@Test func govbenchQuickReportsEveryFigure() throws {
    let sandbox = try Sandbox()
    let out = sandbox.root.appendingPathComponent("govbench.json")
    let child = try Child(try Sandbox.executable("govbench").path, ["--quick", "--json", "--data", sandbox.data],
                          stdout: out.path, stderr: "/dev/null")
    #expect(child.wait() == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
    for key in ["verify_ceiling_per_s", "committed_votes_per_s", "ratio", "vote_to_event_p50_ms", "vote_to_event_p99_ms",
                "wasm_calls_per_s", "frame_median_us", "frame_p99_us", "peak_rss_mb", "cold_start_s", "crash_reopen_s"] {
        let value = try #require(object[key] as? Double, "missing \(key) in \(object)")
        #expect(value > 0, "\(key) is \(value)")
    }
    #expect(object["committed_votes"] as? Int == 10_000)
    #expect((object["frame_voters"] as? Int ?? 0) >= 10_000, "the frame is measured with a 10,000-voter proposal selected")
    #expect((object["crash_tail_transactions"] as? Int ?? 0) > 1_000, "the crash reopen replayed a tail")
    // The ledger the run left is sound and holds the votes.
    let verify = try sandbox.run(["verify", "--json"])
    #expect(verify.status == 0, "\(verify.stderr)")
}
