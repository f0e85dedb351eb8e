import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A console with no service to attach to runs the engine and serves its data directory, as `serve`
/// would: commands and consoles in other terminals attach to it, and when it goes they run the engine
/// themselves again. Every wait is for something to appear or go, with a deadline far beyond need.
@Suite(.serialized) struct ConsoleServesTests {
    typealias Tmux = ConsoleTmuxTests.Tmux
    static let patience: Double = 120

    /// Waits until `done` holds, or fails saying what never happened.
    func eventually(_ what: String, _ done: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(Self.patience)
        while try await !done() {
            guard Date() < deadline else { throw ConsoleTmuxTests.TmuxError(text: "\(what) never happened in \(Int(Self.patience)) s") }
            try? await Task.sleep(for: .seconds(0.2))
        }
    }

    func engine(_ sandbox: Sandbox) async throws -> String? {
        try await sandbox.ok("status", "--json").object()["engine"] as? String
    }

    @Test func commandsAndConsolesInOtherTerminalsAttachToAnOpenConsole() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let socket = sandbox.data + "/govconsole.sock"
        let tmux = Tmux()
        defer { tmux.kill() }
        let exe = try Sandbox.executable().path
        try await tmux.start("env PS1='gc-shell$ ' bash --norc --noprofile", width: 120, height: 36)
        try await tmux.keys("\(exe) --data \(sandbox.data) --no-traffic; echo console-exit-$?", "Enter")
        _ = try await tmux.waitFor("ops (admin) │ embedded · serving", timeout: Self.patience)
        _ = try await tmux.waitFor("no proposals yet", timeout: Self.patience)

        // Another terminal: status attaches to the console's service rather than finding the ledger locked.
        #expect(try await engine(sandbox) == "service unix:\(socket)")
        // A second engine is refused, as it is beside `serve`.
        Sandbox.expectRefusal(try await sandbox.run(["serve"]), mentioning: "already running")
        try await sandbox.ok("propose", "add-member", "frank", "--as", "ops")
        _ = try await tmux.waitFor("add-member frank as voter weight 1", timeout: Self.patience)
        try await sandbox.ok("vote", "1", "approve", "--as", "alice")
        let screen = try await tmux.waitFor("1/5 quorum 50%", timeout: Self.patience)
        #expect(screen.contains("VoteCast"), "the console's feed shows the vote cast elsewhere:\n\(screen)")
        // And another console attaches to it too.
        let bob = Tmux()
        defer { bob.kill() }
        try await bob.start("exec \(exe) --data \(sandbox.data) --no-traffic --as bob", width: 120, height: 36)
        _ = try await bob.waitFor("bob (voter) │ service", timeout: Self.patience)
        _ = try await bob.waitFor("1/5 quorum 50%", timeout: Self.patience)

        // q: the service goes with the console, and the next command runs the engine itself.
        try await tmux.keys("q")
        _ = try await tmux.waitFor("console-exit-0", timeout: Self.patience)
        #expect(!FileManager.default.fileExists(atPath: socket), "the console left its socket behind")
        _ = try await bob.waitFor("reconnecting…", timeout: Self.patience)
        #expect(try await engine(sandbox) == "embedded")
        #expect(try await sandbox.show(1).tally == TallyJSON(approve: 1, reject: 0, abstain: 0))
    }

    /// Stopped by a signal — SIGTERM, or SIGHUP as when its terminal closes — the console takes its socket
    /// with it; killed outright it cannot, and the socket it leaves is passed over and then replaced.
    @Test(arguments: [SIGTERM, SIGHUP, SIGKILL])
    func aConsoleStoppedBySignalLeavesTheDirectoryUsable(_ sig: Int32) async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let socket = sandbox.data + "/govconsole.sock"
        let exe = try Sandbox.executable().path
        let first = Tmux()
        defer { first.kill() }
        try await first.start("exec \(exe) --data \(sandbox.data) --no-traffic", width: 120, height: 36)
        _ = try await first.waitFor("embedded · serving", timeout: Self.patience)
        let pid = try await first.panePID()
        #expect(try await engine(sandbox) == "service unix:\(socket)")

        kill(pid, sig)
        try await eventually("the console's exit after signal \(sig)") { kill(pid, 0) != 0 && errno == ESRCH }
        #expect(FileManager.default.fileExists(atPath: socket) == (sig == SIGKILL),
                sig == SIGKILL ? "a killed console cannot remove its socket" : "signal \(sig) left the socket behind")
        #expect(try await engine(sandbox) == "embedded")

        // The next console serves again, over a stale socket too.
        let second = Tmux()
        defer { second.kill() }
        try await second.start("exec \(exe) --data \(sandbox.data) --no-traffic", width: 120, height: 36)
        _ = try await second.waitFor("embedded · serving", timeout: Self.patience)
        #expect(try await engine(sandbox) == "service unix:\(socket)")
    }

    /// A directory whose socket path is too long to bind: the console still opens, alone, says `embedded`
    /// and why it is not serving.
    @Test func aConsoleThatCannotServeSaysWhyAndStillWorks() async throws {
        let sandbox = try Sandbox()
        let data = sandbox.root.appendingPathComponent(String(repeating: "d", count: 100)).path
        _ = try await sandbox.run(["init", "--demo"], data: data)
        let tmux = Tmux()
        defer { tmux.kill() }
        let exe = try Sandbox.executable().path
        try await tmux.start("exec \(exe) --data \(data) --no-traffic", width: 160, height: 48)
        _ = try await tmux.waitFor("not serving other terminals: cannot listen on govconsole.sock", timeout: Self.patience)
        // The role arrives with the members, a read after the first screen: wait for it, never a service.
        let screen = try await tmux.waitFor("ops (admin) │ embedded │", timeout: Self.patience)
        #expect(!screen.contains("embedded · serving"), "the header claims a service:\n\(screen)")
        try await tmux.keys(":")
        try await tmux.keys("propose add-member frank", "Enter")
        _ = try await tmux.waitFor("add-member frank as voter weight 1", timeout: Self.patience)
    }
}
