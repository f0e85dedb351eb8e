import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The console in a real terminal: tmux runs it, the test types keys and reads the screen.
@Suite(.serialized) struct ConsoleTmuxTests {
    struct Tmux {
        let session = "gc-\(UUID().uuidString.prefix(8))"
        let socket = NSTemporaryDirectory() + "gc-tmux-\(UUID().uuidString.prefix(8))"

        /// Runs tmux and returns what it printed. Its output goes to a file: the server that
        /// `new-session -d` starts lives on and would hold a pipe open.
        @discardableResult
        func run(_ args: [String]) async throws -> String {
            let outPath = NSTemporaryDirectory() + "gc-tmux-out-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: outPath) }
            let status: Int32
            do {
                status = try await Child("tmux", ["-S", socket] + args, environment: ProcessInfo.processInfo.environment,
                                   stdout: outPath, stderr: outPath).wait()
            } catch {
                throw TmuxError(text: "cannot start tmux; install it (apt-get install tmux)")
            }
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            guard status == 0 else { throw TmuxError(text: "tmux \(args.joined(separator: " ")): \(text)") }
            return text
        }

        func keys(_ keys: String...) async throws { try await run(["send-keys", "-t", session] + keys) }
        /// The process the session's pane runs: the command it was started with.
        func panePID() async throws -> pid_t {
            let text = try await run(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let pid = pid_t(text) else { throw TmuxError(text: "tmux gave no pane pid: '\(text)'") }
            return pid
        }
        func screen() async throws -> String { try await run(["capture-pane", "-p", "-t", session]) }

        /// Waits until the screen shows `text`, or fails with the screen as it is.
        func waitFor(_ text: String, timeout: Double = 90) async throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = try await screen()
                if last.contains(text) { return last }
                try? await Task.sleep(for: .seconds(0.2))
            }
            throw TmuxError(text: "the screen never showed '\(text)'; it shows:\n\(last)")
        }

        /// Ends the session for good: kill-server can leave a server behind, so its pid is killed too,
        /// and with it the pane's shell and console, which see their terminal hang up.
        /// Starts `command` in a new detached session of the given size.
        func start(_ command: String, width: Int, height: Int) async throws {
            try await run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
        }

        ///
        /// Synchronous, for `defer`: its two tmux commands return at once, so the blocking waits are brief.
        func kill() {
            func run(_ args: [String]) -> String? {
                let outPath = NSTemporaryDirectory() + "gc-tmux-out-\(UUID().uuidString)"
                defer { try? FileManager.default.removeItem(atPath: outPath) }
                guard let child = try? Child("tmux", ["-S", socket] + args, environment: ProcessInfo.processInfo.environment,
                                             stdout: outPath, stderr: outPath), child.waitBlocking() == 0 else { return nil }
                return try? String(contentsOfFile: outPath, encoding: .utf8)
            }
            let pid = run(["display-message", "-p", "-t", session, "#{pid}"])?.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = run(["kill-server"])
            if let pid, let n = Int32(pid) { Glibc.kill(n, SIGKILL) }
            try? FileManager.default.removeItem(atPath: socket)
        }
    }

    struct TmuxError: Error, CustomStringConvertible { let text: String; var description: String { text } }

    @Test func threeVotersVoteWithKeysAndTheScreenFollows() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let tmux = Tmux()
        defer { tmux.kill() }
        let exe = try Sandbox.executable().path
        // A shell first, so that after quitting the test can see the terminal it gets back.
        try await tmux.start("env PS1='gc-shell$ ' bash --norc --noprofile", width: 160, height: 48)
        try await tmux.keys("\(exe) --data \(sandbox.data) --no-traffic", "Enter")
        _ = try await tmux.waitFor("Proposals")
        _ = try await tmux.waitFor("no proposals yet")

        // Propose through the console's command line, as ops.
        try await tmux.keys(":")
        try await tmux.keys("propose add-member frank", "Enter")
        var screen = try await tmux.waitFor("add-member frank as voter weight 1")
        #expect(screen.contains("0/5 quorum 50%"))

        // alice, bob and carol each take the console in turn and approve with y.
        for (i, voter) in ["alice", "bob", "carol"].enumerated() {
            try await tmux.keys("i")
            _ = try await tmux.waitFor("Act as")
            try await tmux.keys("j", "Enter")
            _ = try await tmux.waitFor("\(voter) (voter) │ embedded")
            try await tmux.keys("y")
            screen = try await tmux.waitFor("\(voter) voted approve on #1")
            #expect(screen.contains("\(i + 1)/5 quorum 50%"), "after \(voter):\n\(screen)")
        }
        #expect(screen.contains("passed"))
        #expect(screen.contains("permission granted"))

        // q quits and hands the terminal back: the shell prompt, and no trace of the console.
        try await tmux.keys("q")
        let after = try await tmux.waitFor("gc-shell$")
        let lastLines = after.split(separator: "\n").suffix(3).joined(separator: "\n")
        #expect(lastLines.contains("gc-shell$"))
        #expect(!after.contains("Proposals") && !after.contains("│"), "the console's screen was left behind:\n\(after)")

        // What the keys did is on the ledger.
        let shown = try await sandbox.ok("show", "1", "--json").object()
        #expect(shown["status"] as? String == "passed")
        #expect((shown["votes"] as? [[String: Any]])?.count == 3)
    }

    /// Two people at two terminals and voters at a shell, one service: ops proposes in one console, bob's
    /// console shows the request, bob votes with y, CLI voters add theirs, and both screens follow.
    @Test func twoConsolesAndCLIVotersShareOneService() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let service = try await ServiceProcess(sandbox)
        defer { service.kill() }
        // bob's terminal has bob's key only.
        let bobKeys = try sandbox.keystore(holding: "bob")

        let exe = try Sandbox.executable().path
        let ops = Tmux(), bob = Tmux()
        defer { ops.kill(); bob.kill() }
        try await ops.start("\(exe) --data \(sandbox.data) --no-traffic --as ops", width: 160, height: 48)
        try await bob.start("\(exe) --data \(sandbox.data) --no-traffic --as bob --keys \(bobKeys)", width: 160, height: 48)
        for console in [ops, bob] {
            _ = try await console.waitFor("│ service govconsole.sock")
            _ = try await console.waitFor("no proposals yet")
        }

        try await ops.keys(":")
        try await ops.keys("propose add-member frank", "Enter")
        _ = try await ops.waitFor("add-member frank as voter weight 1")
        // The notice offers y/n/a only once the requesting proposal is the one on bob's screen.
        var bobScreen = try await bob.waitFor("vote requested on proposal 1: y approve")
        #expect(bobScreen.contains("0/5 quorum 50%"))

        try await bob.keys("y")
        bobScreen = try await bob.waitFor("bob voted approve on #1")
        #expect(bobScreen.contains("1/5 quorum 50%"))
        _ = try await ops.waitFor("1/5 quorum 50%")

        try await sandbox.ok("vote", "1", "reject", "--as", "alice")
        try await sandbox.ok("vote", "1", "approve", "--as", "carol")
        let opsScreen = try await ops.waitFor("3/5 quorum 50%")
        bobScreen = try await bob.waitFor("3/5 quorum 50%")
        for screen in [opsScreen, bobScreen] {
            #expect(screen.contains("VoteCast"), "the live feed shows the votes:\n\(screen)")
        }
        let shown = try await sandbox.show(1)
        #expect(shown.tally == TallyJSON(approve: 2, reject: 1, abstain: 0))
    }

    @Test func aRefusedKeyShowsTheEngineErrorAndNothingCrashes() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let tmux = Tmux()
        defer { tmux.kill() }
        let exe = try Sandbox.executable().path
        try await tmux.start("\(exe) --data \(sandbox.data) --no-traffic", width: 100, height: 30)
        _ = try await tmux.waitFor("Proposals")
        try await tmux.keys(":")
        try await tmux.keys("propose remove-member erin", "Enter")
        _ = try await tmux.waitFor("remove-member erin")
        // ops is an admin: its vote is refused by the contract, shown in the status line.
        try await tmux.keys("y")
        _ = try await tmux.waitFor("only voters vote")
        // Executing while still voting is refused by the engine's permission check.
        try await tmux.keys("x")
        _ = try await tmux.waitFor("holds no permission")
        try await tmux.keys("q")
    }
}
