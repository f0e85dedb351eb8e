import ArgumentParser
import ChainPrimitives
import Foundation
import GovernanceAPI

/// The performance benchmark of issue 6. Run it in release mode:
///
///     swift run -c release govbench [--quick] [--json]
///
/// It measures, in one run, the Ed25519 verification ceiling of this machine and how close the whole
/// vote pipeline comes to it, vote-to-event latency at half load, contract calls, console frames,
/// memory after the vote load and the cold start of the ledger it leaves. It asserts nothing: the
/// figures are for reading and comparing.
@main
struct GovBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "govbench",
        abstract: "Measure govconsole's throughput, latency, frame time, memory and cold start against the signature-verification ceiling.")

    @Flag(help: "Small enough to finish in under a minute: proves the benchmark works, measures little.")
    var quick = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Override the number of voters (10,000; 1,000 with --quick).")
    var voters: Int?

    @Option(help: "Override the number of proposals voted on (100; 10 with --quick).")
    var proposals: Int?

    @Option(help: "Directory for the benchmark's ledger (default: a fresh temporary directory, deleted after).")
    var data: String?

    func run() async throws {
        var scale = quick ? Scale.quick : Scale.full
        if let voters { scale.voters = voters }
        if let proposals { scale.proposals = proposals }
        guard scale.voters >= 10, scale.voters <= Limits.maxMembers - 8, scale.proposals >= 1, scale.proposals <= 100 else {
            throw ValidationError("--voters must be 10 to \(Limits.maxMembers - 8) and --proposals 1 to 100")
        }
        let root = data ?? NSTemporaryDirectory() + "govbench-\(UUID().uuidString)"
        defer { if data == nil { try? FileManager.default.removeItem(atPath: root) } }
        var report = Report(mode: quick ? "quick" : "full", cores: ProcessInfo.processInfo.activeProcessorCount)
        let progress = Progress(enabled: !json)
        if ProcessInfo.processInfo.environment["GOVBENCH_RSS_TRACE"] != nil {
            Thread {
                var peak = 0.0
                while true {
                    let rss = Memory.residentMegabytes()
                    if rss > peak + 10 { peak = rss; progress.say("rss rose to \(Int(rss)) MB") }
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }.start()
        }

        let bench = try await VoteBench.create(at: DataDirectory(path: root), scale: scale, progress: progress)
        report.verifyCeilingPerS = try await bench.verifyCeiling()
        let throughput = try await bench.committedVotes()
        report.committedVotesPerS = throughput.perSecond
        report.committedVotes = throughput.votes
        report.ratio = report.committedVotesPerS / report.verifyCeilingPerS
        let latency = try await bench.latency(offeredPerSecond: report.committedVotesPerS / 2)
        report.voteToEventP50Ms = latency.p50
        report.voteToEventP99Ms = latency.p99
        report.latencyOfferedPerS = latency.offered
        report.wasmCallsPerS = try await bench.wasmCalls()
        report.peakRssMb = Memory.peakResidentMegabytes()
        report.coldStartS = try await bench.coldStart()
        let frames = try await FrameBench.run(scale: scale, progress: progress)
        report.frameMedianUs = frames.median
        report.frameP99Us = frames.p99

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }
}

/// How big a run is.
struct Scale: Sendable {
    var voters: Int
    var proposals: Int
    var latencySeconds: Double
    var wasmCalls: Int
    var frames: Int
    var frameProposals: Int

    static let full = Scale(voters: 10_000, proposals: 100, latencySeconds: 5, wasmCalls: 50_000, frames: 2_000, frameProposals: 1_000)
    static let quick = Scale(voters: 1_000, proposals: 10, latencySeconds: 1, wasmCalls: 2_000, frames: 200, frameProposals: 1_000)
}

/// Progress lines on stderr, so stdout stays the report.
struct Progress: Sendable {
    let enabled: Bool
    let started = ContinuousClock.now

    func say(_ line: String) {
        guard enabled else { return }
        let t = ContinuousClock.now - started
        let rss = Memory.residentMegabytes()
        FileHandle.standardError.write(Data(String(format: "[%6.1fs %5.0f MB] %@\n", t.seconds, rss, line).utf8))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

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
    var peakRssMb = 0.0
    var coldStartS = 0.0

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
        case peakRssMb = "peak_rss_mb"
        case coldStartS = "cold_start_s"
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
            ("frame median", f(frameMedianUs) + " µs", "200×60, 1,000 proposals, feed at 10,000 events/s; target ≤ 1,000"),
            ("frame p99", f(frameP99Us) + " µs", ""),
            ("peak RSS", f(peakRssMb, 1) + " MB", "after the vote load; target ≤ 200"),
            ("cold start", f(coldStartS, 2) + " s", "open the ledger until the engine is ready; target ≤ 2"),
        ]
        let w0 = rows.map(\.0.count).max()!, w1 = rows.map(\.1.count).max()!
        return "govbench (\(mode), \(cores) cores)\n" + rows.map { r in
            r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: w1 - r.1.count) + r.1 + "  " + r.2
        }.joined(separator: "\n")
    }
}

enum Memory {
    /// VmHWM: the most resident memory this process has had.
    static func peakResidentMegabytes() -> Double { status("VmHWM:") }

    /// VmRSS: resident memory now.
    static func residentMegabytes() -> Double { status("VmRSS:") }

    private static func status(_ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}

/// Percentiles of a sample, by nearest rank.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count, max(1, rank)) - 1]
}
