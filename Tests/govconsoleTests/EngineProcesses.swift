import EtcdLauncher
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Three organisations of one consortium as real processes: the sandbox's directory is the consortium's
/// own (made by `init`; members sign with its keystore), each organisation's is made from it by
/// `govconsole join`, and each is served by `govconsole serve --node … --etcd …` ordering through a
/// 3-member etcd started for this consortium alone (the tests break it or its engines).
final class EngineProcesses: Sendable {
    static let nodes = ["node-1", "node-2", "node-3"]
    let sandbox: Sandbox
    let etcd: LocalEtcdCluster
    /// Each organisation's data directory, in node order.
    let directories: [String]
    private let engines: Mutex<[ServiceProcess?]>
    /// Every serve log, restarts included, so a failure can show what the engines said.
    private let logs = Mutex<[(node: String, file: URL)]>([])

    private init(sandbox: Sandbox, etcd: LocalEtcdCluster) {
        self.sandbox = sandbox
        self.etcd = etcd
        directories = Self.nodes.map { sandbox.root.appendingPathComponent($0).path }
        engines = Mutex(Array(repeating: nil, count: Self.nodes.count))
    }

    /// `govconsole init INIT…` in a fresh sandbox, a join per node, etcd, then the three engines.
    static func start(init arguments: [String]) async throws -> EngineProcesses {
        let sandbox = try Sandbox()
        try await sandbox.okArgs(["init"] + arguments)
        for node in nodes {
            let r = try await sandbox.run(["join", sandbox.data, "--node", node], data: sandbox.root.appendingPathComponent(node).path)
            try #require(r.status == 0, "join \(node) failed: \(r.stderr)")
        }
        let c = EngineProcesses(sandbox: sandbox, etcd: try await LocalEtcdCluster.start())
        do {
            for i in nodes.indices { try await c.start(i) }
            // The demo's node-4 to node-6 have no engine: tests start once they are recorded down.
            try await c.routingSettled()
        } catch {
            await c.stop()
            throw error
        }
        return c
    }

    /// Starts engine `i` with the same command line every time; returns once it says it is serving.
    @discardableResult
    func start(_ i: Int) async throws -> ServiceProcess {
        let args = ["--node", Self.nodes[i], "--etcd", etcd.endpoints.joined(separator: ",")]
        let engine = try await ServiceProcess(sandbox, args, data: directories[i])
        engines.withLock { $0[i] = engine }
        logs.withLock { $0.append((Self.nodes[i], engine.output)) }
        return engine
    }

    func engine(_ i: Int) throws -> ServiceProcess {
        try #require(engines.withLock { $0[i] }, "engine \(Self.nodes[i]) is not running")
    }

    /// The address a client names to reach engine `i`.
    func service(_ i: Int) -> String { "unix:\(directories[i])/govconsole.sock" }

    /// Engine `i`'s status, read through it.
    func status(_ i: Int) async throws -> StatusJSON {
        try await ok(["status", "--json"], on: i).decode()
    }

    /// Engine `i`'s status, or nil while it cannot answer (restarting), recording no failure.
    func currentStatus(_ i: Int) async -> StatusJSON? {
        guard let r = try? await sandbox.run(["status", "--json"], data: directories[i]), r.status == 0 else { return nil }
        return try? r.decode()
    }

    /// Waits until engines `which` report the same head at `height` or beyond; that status.
    @discardableResult
    func converged(atLeast height: UInt64, _ which: [Int] = Array(nodes.indices), timeout: Double = 180) async throws -> StatusJSON {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [StatusJSON?] = []
        while Date() < deadline {
            seen = []
            for i in which { seen.append(await currentStatus(i)) }
            if let first = seen[0], first.height >= height, seen.allSatisfy({ $0 == first }) { return first }
            try? await Task.sleep(for: .seconds(0.2))
        }
        Issue.record("engines \(which) never agreed at height \(height) or beyond: \(seen)\n\(logText())")
        throw Timeout()
    }

    /// Waits until every engine's chain records node-1 to node-3 up and no other node, at one head (the
    /// sealer records down a node whose engine went quiet for a lease; the engine records itself up when
    /// it runs again); that status.
    @discardableResult
    func routingSettled(timeout: Double = 180) async throws -> StatusJSON {
        struct Node: Decodable { let name: String; let online: Bool }
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [[Node]?] = []
        while Date() < deadline {
            seen = []
            for i in Self.nodes.indices {
                let r = try? await sandbox.run(["nodes", "--json"], data: directories[i])
                seen.append(r?.status == 0 ? try? r?.decode([Node].self) : nil)
            }
            if seen.allSatisfy({ $0?.allSatisfy { $0.online == Self.nodes.contains($0.name) } == true }) {
                return try await converged(atLeast: 0)
            }
            try? await Task.sleep(for: .seconds(0.2))
        }
        Issue.record("the engines never all recorded exactly \(Self.nodes) up: \(seen)")
        throw Timeout()
    }

    /// Runs a command on organisation `i`'s directory (through its engine while one serves it); it must succeed.
    @discardableResult
    func ok(_ args: [String], on i: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLIResult {
        let r = try await sandbox.run(args, data: directories[i])
        try #require(r.status == 0, "govconsole \(args.joined(separator: " ")) on \(Self.nodes[i]) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    /// The `cluster` part of engine `i`'s `status --json`.
    func cluster(_ i: Int) async throws -> ClusterJSON {
        struct Status: Decodable { let cluster: ClusterJSON }
        return try await ok(["status", "--json"], on: i).decode(Status.self).cluster
    }

    /// Waits until each engine's status lists all three engines with no problem, and returns those views.
    func clusterViews(timeout: Double = 180) async throws -> [ClusterJSON] {
        let deadline = Date().addingTimeInterval(timeout)
        var views: [ClusterJSON] = []
        while Date() < deadline {
            views = []
            for i in Self.nodes.indices { views.append(try await cluster(i)) }
            if views.allSatisfy({ $0.problem == nil && Set($0.engines.map(\.node)) == Set(Self.nodes) }) { return views }
            try? await Task.sleep(for: .seconds(0.2))
        }
        Issue.record("the engines never all saw each other with no problem: \(views)")
        throw Timeout()
    }

    /// Each organisation's ledger file, byte for byte.
    func ledgers() throws -> [Data] {
        try directories.map { try Data(contentsOf: URL(fileURLWithPath: $0 + "/ledger/blocks.log")) }
    }

    /// What every engine wrote to its log so far, each headed by its node.
    func logText() -> String {
        logs.withLock { $0 }.map { "--- \($0.node) ---\n" + ((try? String(contentsOf: $0.file, encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }

    /// Ends every engine (a paused one is let run first, so it can take SIGTERM) and waits for each; one
    /// still running after a minute is a failure, and is killed so the test can end.
    func stopEngines() async {
        let running = engines.withLock { all in defer { all = all.map { _ in nil } }; return all.compactMap { $0 } }
        for e in running {
            e.child.signal(SIGCONT)
            e.child.signal(SIGTERM)
        }
        let deadline = Date().addingTimeInterval(60)
        while running.contains(where: \.child.isRunning) && Date() < deadline { try? await Task.sleep(for: .seconds(0.05)) }
        for e in running where e.child.isRunning {
            Issue.record("an engine ignored SIGTERM for a minute:\n\(e.text)")
            e.child.signal(SIGKILL)
            await e.child.wait()
        }
    }

    /// Ends the engines, then etcd; the sandbox goes when the last reference does.
    func stop() async {
        await stopEngines()
        await etcd.stop()
    }

    struct Timeout: Error {}
}

extension EngineProcesses {
    /// Runs `body` with a started consortium and stops its processes afterwards, failed or not.
    static func with(init arguments: [String], _ body: (EngineProcesses) async throws -> Void) async throws {
        let c = try await start(init: arguments)
        do {
            try await body(c)
        } catch {
            await c.stop()
            throw error
        }
        await c.stop()
    }
}

/// The subset of `status --json`'s `cluster` the tests look at.
struct ClusterJSON: Decodable {
    struct Engine: Decodable { let node: String; let height: UInt64 }
    let node: String
    let position: UInt64
    let engines: [Engine]
    let checkpointsAgree: Bool
    let refusedEntries: Int
    let problem: String?
}
