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
            for _ in 0..<min(Self.killsPerLedger, kills - done) {
                let early = rng.next() % 10 == 0
                let plan = KillPlan(writerSeed: rng.next() % 1_000_000, early: early,
                                    delay: Double(rng.next() % (early ? 300 : 150)) / 1000)
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

    /// When a kill lands. One kill in ten lands at a random moment of start-up (opening, replay, tail
    /// repair); the rest land a random while after the first acknowledgement, when blocks are being written.
    struct KillPlan {
        let writerSeed: UInt64
        let early: Bool
        let delay: Double
    }

    /// Starts the writer, lets it write for a while, kills it with SIGKILL, and returns every whole `ack`
    /// line it printed. Blocks its thread throughout.
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

        let (early, delay) = (plan.early, plan.delay)
        var output: [UInt8] = []
        var deadline = early ? Date().addingTimeInterval(delay) : Date().addingTimeInterval(30)
        var killed = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if !killed && Date() >= deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let wait = killed ? 5000 : max(1, Int32(deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&p, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { if killed { break } else { continue } }
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
            if !early && !killed && deadline.timeIntervalSinceNow > 1, output.contains(UInt8(ascii: "k")) {
                // The first ack is in: from here the kill is `delay` away.
                deadline = Date().addingTimeInterval(delay)
            }
        }
        if !killed { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

        var run = Run()
        // Only whole lines count: a line cut by the kill was never fully acknowledged.
        let text = String(decoding: output, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        run.acks = lines.compactMap { $0.hasPrefix("ack ") ? String($0.dropFirst(4)) : nil }
        let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        run.errors = errors.split(separator: "\n").filter { !$0.hasPrefix("warning ") }.joined(separator: "\n")
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
