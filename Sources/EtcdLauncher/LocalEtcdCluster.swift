import EtcdClient
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway etcd cluster on 127.0.0.1: members on random free ports, data and logs in a temporary
/// directory, for tests and benchmarks. `stop()` ends it; dropping it kills every member too, so a test that
/// fails leaves no etcd running.
public final class LocalEtcdCluster: Sendable {
    /// Client URLs, one per member, in member order (m0, m1, …).
    public let endpoints: [String]
    /// Holds each member's data directory and its log (`m0.log`, …).
    public let directory: String
    let etcdPath: String
    let arguments: [[String]]
    let members: Mutex<[MemberProcess?]>

    /// Starts `size` members of `etcd` (found on PATH when nil) and waits until each says it is healthy,
    /// retrying with new ports when one lost its port to another process.
    public static func start(size: Int = 3, etcd: String? = nil, healthTimeout: Duration = .seconds(120)) async throws(LaunchError) -> LocalEtcdCluster {
        try await start(size: size, etcd: etcd, healthTimeout: healthTimeout) { count, _ in freeLoopbackPorts(count) }
    }

    /// `start`, with the ports of each attempt (its number from 1) chosen by `ports`.
    static func start(
        size: Int, etcd: String?, healthTimeout: Duration, ports: (_ count: Int, _ attempt: Int) -> [Int]
    ) async throws(LaunchError) -> LocalEtcdCluster {
        let found = if let etcd { FileManager.default.isExecutableFile(atPath: etcd) ? etcd : nil } else { findEtcd() }
        guard let etcd = found else { throw .etcdNotFound }
        var attempt = 0
        while true {
            attempt += 1
            let cluster = try LocalEtcdCluster(etcd: etcd, size: size, ports: ports(2 * size, attempt))
            do throws(LaunchError) {
                for member in 0..<size { try cluster.launch(member) }
                try await cluster.waitUntilHealthy(timeout: healthTimeout)
                return cluster
            } catch {
                // A member that lost its port is started again on new ports; a cluster that never became
                // healthy (seen once on a machine running several test suites and clusters at once) once more.
                let retry = switch error {
                case let .memberExited(_, reason): attempt < 5 && reason.contains("address already in use")
                case .notHealthy: attempt < 2
                default: false
                }
                await cluster.stop()
                guard retry else { throw error }
            }
        }
    }

    init(etcd: String, size: Int, ports: [Int]) throws(LaunchError) {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("etcd-cluster-XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else { throw .noTemporaryDirectory(String(cString: strerror(errno))) }
        let dir = String(cString: made)
        directory = dir
        var ports = ports
        while ports.count < 2 * size { ports.append(0) }  // a member on port 0 exits at once; the start fails clearly
        let client = ports.prefix(size).map { "http://127.0.0.1:\($0)" }
        let peer = ports.suffix(size).map { "http://127.0.0.1:\($0)" }
        let initial = (0..<size).map { "m\($0)=\(peer[$0])" }.joined(separator: ",")
        endpoints = client
        etcdPath = etcd
        let token = "t-" + (dir as NSString).lastPathComponent
        arguments = (0..<size).map { i in
            [
                "--name", "m\(i)", "--data-dir", "\(dir)/m\(i)",
                "--listen-client-urls", client[i], "--advertise-client-urls", client[i],
                "--listen-peer-urls", peer[i], "--initial-advertise-peer-urls", peer[i],
                "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                "--logger=zap", "--log-outputs=stderr",
                // Twice etcd's defaults: on two loaded cores a 1 s election timeout lets a slow tick depose a leader.
                "--heartbeat-interval", "200", "--election-timeout", "2000",
            ]
        }
        members = Mutex(Array(repeating: nil, count: size))
    }

    deinit {
        let running = members.withLock { $0.compactMap { $0 } }
        running.forEach { $0.signal(SIGKILL) }
        // Gone before their directory is (an etcd whose directory vanished lives on for up to 30 s).
        let limit = ContinuousClock.now + .seconds(60)
        while running.contains(where: \.isRunning), ContinuousClock.now < limit { usleep(5000) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The process ids of the members started and not yet stopped (a killed one stays listed until restarted).
    public var processIDs: [Int32] { members.withLock { $0.compactMap { $0?.process.processIdentifier } } }

    /// The log a member writes, across its restarts.
    public func logPath(of member: Int) -> String { directory + "/m\(member).log" }

    /// Starts the member with its command line, its log appended to.
    func launch(_ member: Int) throws(LaunchError) {
        let process = try MemberProcess(etcd: etcdPath, arguments: arguments[member], log: logPath(of: member), member: member)
        members.withLock { $0[member] = process }
    }

    /// Waits until `/health` is true on each listed member (all by default), failing at once if one exits.
    public func waitUntilHealthy(_ which: [Int]? = nil, timeout: Duration = .seconds(60)) async throws(LaunchError) {
        let which = which ?? Array(endpoints.indices)
        let limit = ContinuousClock.now + timeout
        var healthy: Set<Int> = []
        while healthy.count < which.count {
            for member in which where !healthy.contains(member) {
                guard members.withLock({ $0[member]?.isRunning ?? false }) else {
                    throw .memberExited(member: member, reason: lastError(of: member))
                }
                if await Self.isHealthy(endpoints[member]) { healthy.insert(member) }
            }
            if healthy.count == which.count { return }
            guard ContinuousClock.now < limit else {
                // Read now: stopping the cluster removes the logs.
                let words = which.filter { !healthy.contains($0) }.map { "m\($0): \(lastLines(of: $0))" }.joined(separator: "; ")
                throw .notHealthy(seconds: Int(timeout.components.seconds), lastWords: words)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What a member logged last, message by message.
    func lastLines(of member: Int, count: Int = 4) -> String {
        let lines = ((try? String(contentsOfFile: logPath(of: member), encoding: .utf8)) ?? "").split(separator: "\n").suffix(count)
        return lines.map { line in
            let fields = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return (fields?["msg"] as? String).map { m in m + ((fields?["error"] as? String).map { ": " + $0 } ?? "") } ?? String(line.prefix(200))
        }.joined(separator: " | ")
    }

    /// The error an exited member logged last (read now: `stop` removes the log), or its last line.
    func lastError(of member: Int) -> String {
        let lines = ((try? String(contentsOfFile: logPath(of: member), encoding: .utf8)) ?? "").split(separator: "\n")
        guard let line = lines.last(where: { $0.contains("\"error\"") }) ?? lines.last else { return "it logged nothing" }
        // A zap line: {"level":"fatal","msg":"…","error":"…",…}; keep just what went wrong.
        let fields = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        let said = [fields?["msg"] as? String, fields?["error"] as? String].compactMap { $0 }.joined(separator: ": ")
        return said.isEmpty ? String(line.prefix(300)) : said
    }

    /// `/health`, or else a status naming a leader with no errors: etcd 3.4's `/health` also needs a
    /// v2 quorum read to finish within one second, which a member starved of CPU by a loaded machine can
    /// miss poll after poll while it serves every v3 request.
    static func isHealthy(_ endpoint: String) async -> Bool {
        guard let client = try? EtcdClient(endpoints: [endpoint]) else { return false }
        var healthy = await client.isHealthy(endpoint)
        if !healthy, let report = await client.status().first?.answered {
            healthy = report.leaderID != nil && report.errors.isEmpty
        }
        await client.shutdown()
        return healthy
    }

    static func findEtcd() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/etcd" } + ["/usr/bin/etcd", "/usr/local/bin/etcd"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
