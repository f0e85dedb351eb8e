import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One run of the crash harness's writer: its stdout is read as it arrives, so the kill lands at the
/// acknowledgement the plan names.
extension CrashHarnessTests {
    /// The clock's part of a run, shared by the reader and the watchdog.
    final class Watch: Sendable {
        let state: Mutex<Deadlines>
        init(_ deadlines: Deadlines) { state = Mutex(deadlines) }
        func withLock<R>(_ body: (inout Deadlines) -> R) -> R { state.withLock { body(&$0) } }
    }

    /// The start-up moment (if the plan has one), the stall limit, and whether the kill was sent and why.
    struct Deadlines {
        var killAt: Date?
        var stalledAt: Date
        var killed = false
        var stalled = false

        /// Whether a deadline has passed and the kill is now due (it is due once).
        mutating func due(now: Date) -> Bool {
            guard !killed else { return false }
            if let at = killAt, now >= at { killed = true }
            if now >= stalledAt { killed = true; stalled = true }
            return killed
        }
    }

    /// Starts the writer, reads its stdout as it comes, kills it with SIGKILL at the plan's moment, reads on
    /// to the end of its output, and returns every whole `ack` line it printed. The writer runs under
    /// `Child` (posix_spawn) with its stdout in a file read as it grows: swift-subprocess's process
    /// monitor raced under ThreadSanitizer, and the suite's process crashed while this harness ran.
    func killedRun(_ writer: URL, data: String, plan: KillPlan) async throws -> Run {
        var start = Deadlines(stalledAt: Date().addingTimeInterval(Self.stallLimit))
        if case let .startup(ms) = plan.moment { start.killAt = Date().addingTimeInterval(Double(ms) / 1000) }
        let watch = Watch(start)
        let files = NSTemporaryDirectory() + "gc-writer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }
        let child = try Child(writer.path, ["--data", data, "--seed", String(plan.writerSeed)],
                              stdout: files + "/stdout", stderr: files + "/stderr")
        let fd = open(files + "/stdout", O_RDONLY)
        defer { close(fd) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var progress = (acks: 0, height: UInt64(0), scanned: 0)
        var ended = false
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                output.append(contentsOf: chunk[0..<n])
                guard !watch.withLock({ $0.killed }) else { continue }
                // Count the whole ack lines that arrived; kill the moment the plan's progress is reached.
                while let newline = output[progress.scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                    let fields = output[progress.scanned..<newline].split(separator: UInt8(ascii: " "))
                    progress.scanned = newline + 1
                    guard fields.count == 3, fields[0].elementsEqual("ack".utf8),
                          let height = UInt64(String(decoding: fields[2], as: UTF8.self)) else { continue }
                    progress.acks += 1
                    progress.height = max(progress.height, height)
                    watch.withLock { $0.stalledAt = Date().addingTimeInterval(Self.stallLimit) }
                }
                if plan.reached(acks: progress.acks, height: progress.height),
                   watch.withLock({ w in defer { w.killed = true }; return !w.killed }) {
                    child.signal(SIGKILL)
                }
                continue
            }
            // Nothing new: once the writer has ended and its last bytes are read, the run is over.
            if ended { break }
            if !child.isRunning { ended = true; continue }
            if watch.withLock({ $0.due(now: Date()) }) { child.signal(SIGKILL) }
            try? await Task.sleep(for: .milliseconds(1))
        }
        await child.wait()

        var run = Run()
        // Only whole lines count: a line cut by the kill was never fully acknowledged.
        let text = String(decoding: output, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        run.acks = lines.compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count == 3 && fields[0] == "ack" ? String(fields[1]) : nil
        }
        let errors = (try? String(contentsOfFile: files + "/stderr", encoding: .utf8)) ?? ""
        run.errors = errors.split(separator: "\n").filter { !$0.hasPrefix("warning ") }.joined(separator: "\n")
        if watch.withLock({ $0.stalled }) {
            run.errors += "\nthe writer acknowledged nothing for \(Int(Self.stallLimit)) s (plan \(plan.moment))"
        }
        return run
    }
}
