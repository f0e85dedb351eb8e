import Foundation
import GovernanceAPI
@testable import GovernanceEngine
@testable import GovernanceService
@testable import ServiceClient
import ServiceLifecycle
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The service's socket and its lifecycle in this process: owner-only without touching the umask, and a
/// service group's graceful shutdown closing everything it opened.
@Suite struct ServiceLifecycleTests: InProcessService {
    typealias RawClient = ServiceProtocolTests.RawClient
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-life-\(UUID().uuidString.prefix(8))")
    var socketPath: String { dir.path + "/govconsole.sock" }

    /// The process's umask as the kernel reports it, read without setting it.
    static func umaskNow() -> String? {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Umask:") }.map(String.init)
    }

    /// Every umask the process had while it ran, read again and again on its own thread.
    final class UmaskWatch: Sendable {
        private let state = Mutex<(watching: Bool, seen: Set<String>, done: Bool)>((true, [], false))

        func run() {
            while state.withLock({ $0.watching }) {
                if let u = ServiceLifecycleTests.umaskNow() { state.withLock { _ = $0.seen.insert(u) } }
            }
            state.withLock { $0.done = true }
        }

        var seen: Set<String> { state.withLock { $0.seen } }

        /// Stops watching and returns what was seen, once the thread has stopped.
        func finish() -> Set<String> {
            state.withLock { $0.watching = false }
            while !state.withLock({ $0.done }) { usleep(1000) }
            return state.withLock { $0.seen }
        }
    }

    func mode(_ path: String) -> mode_t? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : nil
    }

    /// The README's mode 0600, under whatever umask the tests run with, and that umask never changed
    /// meanwhile: a thread reads it, without setting it, all the while fifty services bind.
    @Test func theSocketIsOwnerOnlyAndTheUmaskIsNeverChanged() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let before = try #require(Self.umaskNow(), "no Umask line in /proc/self/status")
        let watch = UmaskWatch()
        Thread.detachNewThread { watch.run() }
        while watch.seen.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        for _ in 0..<50 {
            let server = try await GovernanceServer.bind(engine: client.local!, address: .unix(path: socketPath), token: nil)
            #expect(mode(socketPath) == 0o600, "the socket's mode is \(String(mode(socketPath) ?? 0, radix: 8))")
            let running = Task { await server.run() }
            await server.stop()
            await running.value
        }
        let seen = watch.finish()
        #expect(seen == [before], "the umask changed while binding: \(seen)")
        #expect(Self.umaskNow() == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".gc") }
        #expect(left.isEmpty, "binding left its private directories: \(left)")
        await client.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }

    /// A stale socket is replaced; anything else at the path is refused and left as it was.
    @Test func aStaleSocketIsReplacedAndAFileIsLeftAlone() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        // A socket nobody listens on, as a killed service leaves it.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0 && mode(socketPath) != nil, "no stale socket to replace")
        let server = try await GovernanceServer.bind(engine: client.local!, address: .unix(path: socketPath), token: nil)
        let running = Task { await server.run() }
        let member = try RawClient(path: socketPath)
        try await blocking { try member.hello() }
        await server.stop()
        await running.value

        let other = dir.path + "/notes.txt"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: other))
        let refused = await #expect(throws: NotASocket.self) {
            _ = try await GovernanceServer.bind(engine: client.local!, address: .unix(path: other), token: nil)
        }
        #expect(refused.map(RemoteBackend.reason) == "\(other) exists and is not a socket (left as it is)")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".gc") }.isEmpty)
        await client.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }

    /// Run by a service group, as `serve` runs it: the group's graceful shutdown closes a welcomed
    /// member's connection, stops the listener and removes the address file a TCP service wrote.
    @Test func aGroupShutdownClosesConnectionsAndRemovesTheAddressFile() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let service = try await DirectoryService.bind(engine: client.local!, address: .tcp(host: "127.0.0.1", port: 0),
                                                      token: "sesame", logger: .silent)
        let addressFile = ServiceAddress.addressFile(of: dir)
        #expect(try String(contentsOfFile: addressFile, encoding: .utf8) == service.address.description)
        let group = ServiceGroup(services: [service], logger: .silent)
        let running = Task { try await group.run() }
        let member = try RawClient(address: service.address)
        try await blocking { try member.hello(token: "sesame") }

        await group.triggerGracefulShutdown()
        let after = try await blocking { try member.receive() }
        #expect(after == nil, "the member's connection is closed")
        try await running.value
        #expect(!FileManager.default.fileExists(atPath: addressFile))
        #expect(throws: ServiceError.self) { _ = try RawClient(address: service.address) }
        await client.close()
        try? FileManager.default.removeItem(atPath: dir.path)
    }
}
