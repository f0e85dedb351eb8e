import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Kills a writer process with SIGKILL at random moments and checks, after every kill, that nothing it
/// acknowledged was lost and that the ledger reopens whole: torn tails cut back, hash chain, signatures
/// and the replay from genesis all sound (Chain.open and LedgerAudit).
///
/// `GOVCONSOLE_CRASH_KILLS` sets the number of kills (default 50; the long mode is 1000), and
/// `GOVCONSOLE_CRASH_SEED` repeats a run's kill moments.
@Suite("Crash safety")
struct CrashHarnessTests {
    /// Kills per data directory: each directory's ledger sees several kills in a row, torn tails and all,
    /// and a fresh one keeps replay time flat over a long run.
    static let killsPerLedger = 10

    @Test("SIGKILL at random moments loses no acknowledged transaction")
    func killsLoseNothing() async throws {
        let env = ProcessInfo.processInfo.environment
        let kills = env["GOVCONSOLE_CRASH_KILLS"].flatMap(Int.init) ?? 50
        let seed = env["GOVCONSOLE_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var rng = SplitMix64(seed: seed)
        let writer = try Sandbox.executable("crashwriter")
        var totals = Totals()

        var done = 0
        while done < kills {
            let sandbox = try Sandbox()
            let data = sandbox.data
            var acknowledged = Set<String>()
            let killsHere = min(Self.killsPerLedger, kills - done)
            for k in 0..<killsHere {
                let plan = KillPlan.draw(&rng, last: killsHere == Self.killsPerLedger && k == killsHere - 1)
                let run = try await onThread { try killedRun(writer, data: data, plan: plan) }
                #expect(run.errors.isEmpty, "writer failed (seed \(seed)): \(run.errors)")
                acknowledged.formUnion(run.acks)
                totals.acks += run.acks.count
                if run.acks.isEmpty { totals.beforeFirstAck += 1 }

                // Reopening repairs a torn tail, replays every block (reproducing every receipt) and
                // verifies the hash chain and every signature; it throws on anything else.
                guard Chain.exists(at: sandbox.data + "/ledger") else { continue }
                let chain = try Chain.open(at: sandbox.data + "/ledger", keystore: Keystore(directory: sandbox.data + "/keys"))
                let blocks = try await chain.blocks()
                let stored = Set(blocks.flatMap { $0.transactions.map(\.id.hex) })
                let reopenedRoot = await chain.state.root
                if !chain.warnings.isEmpty { totals.tornTails += 1 }
                await chain.close()
                let lost = acknowledged.subtracting(stored)
                #expect(lost.isEmpty, "lost \(lost.count) acknowledged transactions (seed \(seed)), e.g. \(lost.first ?? "")")
                totals.blocks = max(totals.blocks, blocks.count)

                // The read-only audit must find the repaired ledger sound, invariants included.
                let report = try LedgerAudit.run(directory: sandbox.data + "/ledger")
                #expect(report.ok, "audit after a kill (seed \(seed)): \(report.problems)")
                // The state the chain reopened with is the state a replay from genesis builds.
                #expect(report.stateRoot == reopenedRoot, "reopened state differs from a replay from genesis (seed \(seed))")
                if !lost.isEmpty || !report.ok { return }
            }
            done += min(Self.killsPerLedger, kills - done)
        }
        print("crash harness: \(kills) kills, seed \(seed), \(totals.acks) acknowledged transactions all present, "
            + "\(totals.tornTails) torn tails cut back, \(totals.beforeFirstAck) kills before the first ack, longest ledger \(totals.blocks) blocks")
        // A harness whose kills never land while the writer writes would prove nothing.
        #expect(totals.acks > kills, "the writer acknowledged only \(totals.acks) transactions over \(kills) kills")
        // Kills must also land on ledgers past a state-root checkpoint, or those go untested.
        #expect(kills < Self.killsPerLedger || totals.blocks > Int(BlockHeader.stateRootInterval),
                "no ledger passed height \(BlockHeader.stateRootInterval) (longest \(totals.blocks) blocks)")
    }

    struct Totals {
        var acks = 0
        var tornTails = 0
        var beforeFirstAck = 0
        var blocks = 0
    }

    struct Run {
        var acks: [String] = []
        var errors = ""
    }

    /// When a kill lands, by the writer's progress rather than by the clock, so that a slower disk or a
    /// busier machine changes how long a run takes, never what it covers.
    struct KillPlan {
        enum Moment {
            /// At a random moment of start-up (opening, replay, tail repair). Only a delay can aim inside
            /// start-up; nothing asserted depends on how far the writer got before it.
            case startup(milliseconds: Int)
            /// Once the writer has acknowledged this many transactions in this run.
            case acknowledged(Int)
            /// Once an acknowledged transaction reports the ledger at this height or above.
            case height(UInt64)
        }
        let writerSeed: UInt64
        let moment: Moment

        /// One kill in ten lands in start-up, the rest after 1 to 100 acknowledgements. The last kill of a
        /// ledger waits until the ledger has passed a state-root checkpoint and a snapshot (both every 128
        /// blocks), so every full ledger exercises them, however fast the machine writes.
        static func draw(_ rng: inout SplitMix64, last: Bool) -> KillPlan {
            let writerSeed = rng.next() % 1_000_000
            if last {
                let past = BlockHeader.stateRootInterval + 1 + rng.next() % BlockHeader.stateRootInterval
                return KillPlan(writerSeed: writerSeed, moment: .height(past))
            }
            if rng.next() % 10 == 0 { return KillPlan(writerSeed: writerSeed, moment: .startup(milliseconds: Int(rng.next() % 300))) }
            return KillPlan(writerSeed: writerSeed, moment: .acknowledged(1 + Int(rng.next() % 100)))
        }

        /// Whether the acknowledgements read so far reach the planned moment.
        func reached(acks: Int, height: UInt64) -> Bool {
            switch moment {
            case .startup: false
            case let .acknowledged(n): acks >= n
            case let .height(h): height >= h
            }
        }
    }

    /// How long the writer may go without acknowledging anything before the run is called stuck. Generous:
    /// a machine three times slower than ours, with every suite running beside it, still acknowledges far
    /// more often than this.
    static let stallLimit: TimeInterval = 180

    /// Starts the writer, lets it write until the plan's moment, kills it with SIGKILL, and returns every
    /// whole `ack` line it printed. Blocks its thread throughout.
    func killedRun(_ writer: URL, data: String, plan: KillPlan) throws -> Run {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HarnessError("pipe failed") }
        // Other tests spawn processes too; none of them may hold the write end open after the kill.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let errPath = NSTemporaryDirectory() + "crashwriter-err-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let exe: String = writer.path
        let args: [String] = [exe, "--data", data, "--seed", String(plan.writerSeed)]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, exe, &actions, nil, argv, environ) == 0 else {
            close(fds[0]); close(fds[1])
            throw HarnessError("cannot start \(exe)")
        }
        close(fds[1])
        defer { close(fds[0]) }

        var output: [UInt8] = []
        var killAt: Date? = nil
        if case let .startup(ms) = plan.moment { killAt = Date().addingTimeInterval(Double(ms) / 1000) }
        var stalledAt = Date().addingTimeInterval(Self.stallLimit)
        var progress = (acks: 0, height: UInt64(0), scanned: 0)
        var killed = false
        var stalled = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if !killed, let at = killAt, Date() >= at {
                kill(pid, SIGKILL)
                killed = true
            }
            if !killed, Date() >= stalledAt {
                kill(pid, SIGKILL)
                killed = true
                stalled = true
            }
            var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let until = killAt.map { min($0, stalledAt) } ?? stalledAt
            let wait = killed ? 60_000 : max(1, Int32(until.timeIntervalSinceNow * 1000))
            let ready = poll(&p, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { if killed { break } else { continue } }
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
            guard !killed else { continue }
            // Count the whole ack lines that arrived; kill the moment the plan's progress is reached.
            while let newline = output[progress.scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: output[progress.scanned..<newline], as: UTF8.self)
                progress.scanned = newline + 1
                let fields = line.split(separator: " ")
                guard fields.count == 3, fields[0] == "ack", let height = UInt64(fields[2]) else { continue }
                progress.acks += 1
                progress.height = max(progress.height, height)
                stalledAt = Date().addingTimeInterval(Self.stallLimit)
            }
            if plan.reached(acks: progress.acks, height: progress.height) {
                kill(pid, SIGKILL)
                killed = true
            }
        }
        if !killed { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

        var run = Run()
        // Only whole lines count: a line cut by the kill was never fully acknowledged.
        let text = String(decoding: output, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        run.acks = lines.compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count == 3 && fields[0] == "ack" ? String(fields[1]) : nil
        }
        let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        run.errors = errors.split(separator: "\n").filter { !$0.hasPrefix("warning ") }.joined(separator: "\n")
        if stalled { run.errors += "\nthe writer acknowledged nothing for \(Int(Self.stallLimit)) s (plan \(plan.moment))" }
        return run
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// Runs a blocking body on its own thread, so waiting on a child process never holds one of the few
/// threads the test runner's tasks share.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { done in
        Thread { done.resume(with: Result { try body() }) }.start()
    }
}
