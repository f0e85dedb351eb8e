import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one way these tests start a process: posix_spawn, standard input from /dev/null, stdout and
/// stderr into files (so a large output can never block the child, and a daemon that keeps a
/// descriptor, like tmux's server, cannot keep the test waiting), reaped with waitpid.
///
/// Not swift-subprocess: its `run` ends the child when its closure returns, while these tests keep
/// children running across statements (a service, a follower, fifty voters at once) and stop them in
/// `defer`, which cannot await; and its process monitor raced under ThreadSanitizer. The crash harness
/// reads its child's stdout file as it grows (CrashHarnessTests.killedRun).
final class Child: Sendable {
    let pid: pid_t
    /// The wait status once reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`. `stdout` and `stderr`
    /// name files to create or truncate; the same path for both interleaves them in one file.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = Child.environment,
         stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// This process's environment less the GOVCONSOLE_* variables, so a test's settings never leak in.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GOVCONSOLE_") }
    }

    var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits for the child to end: its exit code, or the number of the signal that ended it. It polls
    /// rather than blocking in waitpid: on a two-core machine Swift's cooperative pool has two threads,
    /// and two tests blocked in a wait would stall every other test in the process (their timers, their
    /// engines' leases) until one returned.
    @discardableResult
    func wait() async -> Int32 {
        while true {
            if let code = reap(blocking: false) { return code }
            // Cancelled, the sleep returns at once: wait in waitpid rather than spin.
            if Task.isCancelled { return reap(blocking: true)! }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the child to end, blocking: only on a thread of the test's own, never on Swift's pool.
    @discardableResult
    func waitBlocking() -> Int32 { reap(blocking: true)! }

    func signal(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    private func reap(blocking: Bool) -> Int32? {
        if let status = reaped.withLock({ $0 }) { return Self.code(status) }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid { break }
            if r == 0 { return nil }
            if errno == EINTR { continue }
            // Reaped by a concurrent wait: its status is about to be stored.
            while reaped.withLock({ $0 }) == nil { usleep(1000) }
            return Self.code(reaped.withLock { $0 }!)
        }
        reaped.withLock { $0 = status }
        return Self.code(status)
    }

    private static func code(_ status: Int32) -> Int32 { status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            waitBlocking()
        }
    }

    struct SpawnError: Error, CustomStringConvertible { let description: String }
}
