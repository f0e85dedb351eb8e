import EtcdLauncher
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The console on one of three organisations' engines that keep one ledger through a real etcd: the
/// header names its node and the engines, the Cluster pane lists them, and an engine that leaves is
/// seen going without any block being made, so only the console's own status reads can show it.
@Suite(.serialized) struct ConsoleClusterTmuxTests {
    /// `serve --node --etcd` on a joined directory, started and waited for without blocking a thread.
    final class Engine {
        let child: Child
        let log: String

        init(_ data: String, node: String, etcd: [String]) async throws {
            log = data + ".serve.log"
            child = try Child(try Sandbox.executable().path, ["serve", "--data", data, "--node", node, "--etcd", etcd.joined(separator: ",")],
                              stdout: log, stderr: log)
            let deadline = Date().addingTimeInterval(120)
            while !text.contains("serving ") {
                guard child.isRunning, Date() < deadline else { throw ConsoleTmuxTests.TmuxError(text: "serve \(node) did not start: \(text)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        var text: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// SIGTERM, then waits for the exit: the engine revokes its presence in etcd as it closes.
        func stop() async throws {
            child.signal(SIGTERM)
            let deadline = Date().addingTimeInterval(120)
            while child.isRunning {
                guard Date() < deadline else { child.signal(SIGKILL); break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    static func waitFor(_ text: String, on tmux: ConsoleTmuxTests.Tmux, timeout: Double = 120) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try await tmux.screen()
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ConsoleTmuxTests.TmuxError(text: "the screen never showed '\(text)'; it shows:\n\(last)")
    }

    @Test func theConsoleShowsTheClusterAndSeesAnEngineLeave() async throws {
        let etcd = try await SharedLocalEtcd.shared.acquire()
        let sandbox = try Sandbox()
        var engines: [Engine] = []
        let tmux = ConsoleTmuxTests.Tmux()
        do {
            try await sandbox.ok("init", "--demo")
            for n in 1...3 {
                let joined = try await sandbox.run(["join", sandbox.data, "--node", "node-\(n)"], data: sandbox.root.path + "/org-\(n)")
                try #require(joined.status == 0, "join failed: \(joined.stderr)")
                engines.append(try await Engine(sandbox.root.path + "/org-\(n)", node: "node-\(n)", etcd: etcd.endpoints))
            }
            let exe = try Sandbox.executable().path
            // No traffic: after the first screen no block is made, so nothing but status reads moves it.
            try await tmux.start("\(exe) --data \(sandbox.root.path)/org-2 --keys \(sandbox.data)/keys --as carol --no-traffic",
                           width: 160, height: 48)
            let header = try await Self.waitFor("cluster node-2 · 3 engines", on: tmux)
            #expect(header.split(separator: "\n").first?.contains("│ cluster node-2 · 3 engines ") == true, "\(header)")
            try await tmux.keys("5")
            var pane = try await Self.waitFor("┌─ Cluster", on: tmux)
            pane = try await Self.waitFor("ETCD MEMBERS", on: tmux)
            for n in 1...3 { #expect(pane.contains("node-\(n) "), "\(pane)") }
            for endpoint in etcd.endpoints { #expect(pane.contains(endpoint), "\(pane)") }

            try await engines[2].stop()
            pane = try await Self.waitFor("cluster node-2 · 2 engines", on: tmux)
            #expect(!pane.contains("node-3 "), "node-3 left but the pane still lists it:\n\(pane)")
        } catch {
            await tmux.kill()
            for e in engines { try? await e.stop() }
            await SharedLocalEtcd.shared.release()
            throw error
        }
        await tmux.kill()
        for e in engines { try await e.stop() }
        await SharedLocalEtcd.shared.release()
    }
}
