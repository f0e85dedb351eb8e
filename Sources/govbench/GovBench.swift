import ArgumentParser
import ChainPrimitives
import Foundation
import GovernanceAPI

/// The performance benchmark of issue 6. Run it in release mode:
///
///     swift run -c release govbench [--quick] [--json]
///
/// It measures, in one run, the Ed25519 verification ceiling of this machine (before and after the
/// load) and the highest rate of votes, arriving as clients send them, that the engine sustains with
/// p99 within 50 ms, directly and through `serve`; then committed votes in big batches, contract calls,
/// console frames, memory after the vote load and the cold start of the ledger it leaves. It asserts
/// nothing: the figures are for reading and comparing.
@main
struct GovBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "govbench",
        abstract: "Measure govconsole's throughput, latency, frame time, memory and cold start against the signature-verification ceiling.")

    @Flag(help: "Small enough to finish in under a minute: proves the benchmark works, measures little.")
    var quick = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: "Also measure votes through three engines ordering through a local three-member etcd (needs etcd-server).")
    var cluster = false

    @Flag(help: "Measure only what --cluster compares: the verification ceiling, the engine's rate at p99 ≤ 50 ms, and the cluster's (for working on the cluster; the other figures read 0).")
    var clusterOnly = false

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
        report.verifyCeilingBeforePerS = try await bench.verifyCeiling()
        if clusterOnly {
            report.sloClients = bench.loadShape.clients
            report.record(slo: try await bench.sloSearch(ceiling: report.verifyCeilingBeforePerS))
            report.settleRatios()
            await bench.close()
            report.record(cluster: try await bench.clusterSearch(ceiling: report.verifyCeilingPerS))
            print(json ? try report.json() : report.table)
            return
        }
        let throughput = try await bench.committedVotes()
        report.committedVotesPerS = throughput.perSecond
        report.committedVotes = throughput.votes
        report.wasmCallsPerS = try await bench.wasmCalls()
        report.peakRssMb = Memory.peakResidentMegabytes()
        // The searches run after the peak is read: their proposals are not part of the 1M-vote load.
        report.sloClients = bench.loadShape.clients
        report.record(slo: try await bench.sloSearch(ceiling: report.verifyCeilingBeforePerS))
        report.serviceConnections = bench.serviceConnections
        report.record(service: try await bench.serviceSearch(ceiling: report.verifyCeilingBeforePerS))
        report.verifyCeilingAfterPerS = try await bench.verifyCeiling()
        report.settleRatios()
        report.coldStartS = try await bench.coldStart()
        let crash = try await bench.crashReopen()
        (report.crashReopenS, report.crashTailTransactions, report.crashTailBlocks) = (crash.seconds, crash.transactions, crash.blocks)
        let frames = try await FrameBench.run(scale: scale, progress: progress)
        report.frameMedianUs = frames.median
        report.frameP99Us = frames.p99
        report.frameVoters = frames.voters
        // Last: it closes this bench's engine and hands its ledger to three organisations.
        if cluster { report.record(cluster: try await bench.clusterSearch(ceiling: report.verifyCeilingPerS)) }

        print(json ? try report.json() : report.table)
    }
}

/// How big a run is.
struct Scale: Sendable {
    var voters: Int
    var proposals: Int
    var wasmCalls: Int
    var frames: Int
    var frameProposals: Int

    static let full = Scale(voters: 10_000, proposals: 100, wasmCalls: 50_000, frames: 2_000, frameProposals: 1_000)
    static let quick = Scale(voters: 1_000, proposals: 10, wasmCalls: 2_000, frames: 200, frameProposals: 1_000)
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

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
