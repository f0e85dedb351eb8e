import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the built `govconsole` executable did.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// stdout parsed as a JSON object.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(value as? [String: Any], "stdout is not a JSON object: \(stdout)", sourceLocation: sourceLocation)
    }

    /// stdout decoded as `T`.
    func decode<T: Decodable>(_: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(stdout.utf8))
    }
}

/// The subset of `status --json` the tests look at.
struct StatusJSON: Decodable, Equatable {
    let height: UInt64
    let head: String
    let proposals: [String: Int]
}

struct TallyJSON: Decodable, Equatable {
    let approve: UInt64
    let reject: UInt64
    let abstain: UInt64
}

/// The subset of `show ID --json` the tests look at.
struct ProposalJSON: Decodable {
    struct Vote: Decodable, Equatable { let voter: String; let choice: String }
    struct Permission: Decodable { let state: String; let holder: String?; let expires: String? }
    let id: UInt64
    let status: String
    let proposer: String
    let tally: TallyJSON
    let votes: [Vote]
    let pending: [String]
    let permission: Permission
    let deadline: String

    /// When voting closes, as the chain's clock reads it.
    var closes: Date { ISO8601DateFormatter().date(from: deadline) ?? .distantPast }
}

struct MemberJSON: Decodable, Equatable {
    let name: String
    let role: String
    let weight: UInt64
}

/// A fresh temporary data directory and a way to run the CLI against it. The directory is deleted when the
/// sandbox goes away.
final class Sandbox: Sendable {
    let root: URL
    let data: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("govconsole-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        data = root.appendingPathComponent("data").path
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var ledgerFile: String { data + "/ledger/blocks.log" }

    /// Runs `govconsole ARGS --data DIR` (the sandbox's directory unless `data` names another), with no
    /// GOVCONSOLE_* variables inherited.
    @discardableResult
    func run(_ args: [String], data: String? = nil) async throws -> CLIResult {
        try await Background(self, args, data: data).wait()
    }

    /// A keystore directory holding copies of these members' keys only, as one member's own terminal would.
    func keystore(holding names: String...) throws -> String {
        let dir = root.appendingPathComponent("keys-\(names.joined(separator: "-"))-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(atPath: data + "/keys/\(name).key", toPath: dir + "/\(name).key")
            chmod(dir + "/\(name).key", 0o600)
        }
        return dir
    }

    /// Runs a command that must succeed (exit 0, nothing on stderr) and returns its result.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        try await okArgs(args, sourceLocation: sourceLocation)
    }

    @discardableResult
    func okArgs(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        let r = try await run(args)
        try #require(r.status == 0, "govconsole \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.isEmpty, "unexpected stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    func status() async throws -> StatusJSON { try await ok("status", "--json").decode() }
    func show(_ id: Int) async throws -> ProposalJSON { try await ok("show", "\(id)", "--json").decode() }
    func members() async throws -> [MemberJSON] { try await ok("members", "--json").decode() }

    /// Proposal `id` gets `choice` from each voter in turn.
    func vote(_ id: Int, _ choice: String, by voters: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for v in voters { try await ok("vote", "\(id)", choice, "--as", v, "--json", sourceLocation: sourceLocation) }
    }

    /// Runs a command that must be refused: non-zero exit (exactly `code` if given), nothing on stdout, one line
    /// `error: …` on stderr (containing `mentioning`), and the ledger's height and head unchanged.
    @discardableResult
    func refused(_ args: [String], code: Int32? = nil, mentioning: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        let before = try await status()
        let r = try await run(args)
        Self.expectRefusal(r, code: code, mentioning: mentioning, sourceLocation: sourceLocation)
        let after = try await status()
        #expect(after.height == before.height, "height moved", sourceLocation: sourceLocation)
        #expect(after.head == before.head, "head moved", sourceLocation: sourceLocation)
        return r
    }

    static func expectRefusal(_ r: CLIResult, code: Int32? = nil, mentioning: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status != 0, sourceLocation: sourceLocation)
        if let code { #expect(r.status == code, "stderr: \(r.stderr)", sourceLocation: sourceLocation) }
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("error: "), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasSuffix("\n") && r.stderr.filter { $0 == "\n" }.count == 1,
                "stderr is not exactly one line: \(r.stderr)", sourceLocation: sourceLocation)
        if let mentioning {
            #expect(r.stderr.contains(mentioning), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// The built `govconsole`: next to the test bundle (the build `swift test` just made), else in the
    /// package's `.build/debug`.
    static func executable(_ name: String = "govconsole") throws -> URL {
        var dirs: [URL] = []
        if let argv0 = CommandLine.arguments.first {
            dirs.append(URL(fileURLWithPath: argv0).deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL)
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                dirs.append(dir.appendingPathComponent(".build/debug"))
                break
            }
            dir.deleteLastPathComponent()
        }
        for d in dirs {
            let candidate = d.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw LocateError(name: name, searched: dirs.map(\.path))
    }

    struct LocateError: Error, CustomStringConvertible {
        let name: String
        let searched: [String]
        var description: String { "\(name) executable not found in: \(searched.joined(separator: ", "))" }
    }
}

/// A run of the built `govconsole ARGS --data DIR` (the sandbox's directory unless `data` names another),
/// with no GOVCONSOLE_* variables inherited, that the test may leave running while it goes on. Output
/// goes to files in the sandbox rather than pipes, so a large output can never block the child.
final class Background {
    let child: Child
    let out: URL
    let err: URL

    init(_ sandbox: Sandbox, _ args: [String], data: String? = nil) throws {
        out = sandbox.root.appendingPathComponent("bg-\(UUID().uuidString).out")
        err = sandbox.root.appendingPathComponent("bg-\(UUID().uuidString).err")
        child = try Child(try Sandbox.executable().path, args + ["--data", data ?? sandbox.data], stdout: out.path, stderr: err.path)
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    func wait() async -> CLIResult {
        let status = await child.wait()
        return CLIResult(status: status, stdout: stdout, stderr: stderr)
    }

    /// `wait()`, blocking: only on a thread of the test's own, never on Swift's pool.
    func waitBlocking() -> CLIResult {
        let status = child.waitBlocking()
        return CLIResult(status: status, stdout: stdout, stderr: stderr)
    }

    /// Whether `group` is done, waiting up to `seconds` without blocking a thread of Swift's pool.
    static func finished(_ group: DispatchGroup, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while group.wait(timeout: .now()) == .timedOut {
            guard Date() < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Blocks a thread a test started itself (never one of Swift's pool) until `flag` is set, or for ten
    /// minutes.
    static func hold(until flag: borrowing Atomic<Bool>) {
        let deadline = Date().addingTimeInterval(600)
        while !flag.load(ordering: .acquiring) && Date() < deadline { usleep(10_000) }
    }

    /// Waits until stdout has `count` lines containing `text`.
    func waitForLines(containing text: String, count: Int, timeout: Double = 120) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.split(separator: "\n").filter({ $0.contains(text) }).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
