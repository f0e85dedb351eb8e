import ChainModel
import ChainPrimitives
import DurableStorage
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
@testable import GovernanceService
@testable import ServiceClient
import ServicePlatform
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The service in this process, with real sockets: a client that speaks the protocol by hand, byte for
/// byte, so it can misbehave in ways the real client never does.
@Suite struct ServiceProtocolTests: InProcessService {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-svc-\(UUID().uuidString.prefix(8))")
    var socketPath: String { dir.path + "/govconsole.sock" }

    func started() async throws -> (GovernanceClient, GovernanceServer, Task<Void, Never>) {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let server = try await GovernanceServer.bind(engine: client.local!, address: .unix(path: socketPath), token: nil,
                                                     handshake: Self.patientLobby)
        let running = Task { await server.run() }
        return (client, server, running)
    }

    /// These clients share this process with every other suite: a client task starved of threads for
    /// more than the default 10 s between connecting and saying hello is no stranger, so only
    /// HandshakeLimitTests, whose peers say hello from their own threads, runs the real timeout.
    static let patientLobby = HandshakeLimits(timeout: .seconds(3600))

    /// A blocking Unix-socket or loopback TCP client that writes and reads frames itself.
    final class RawClient: @unchecked Sendable {
        let fd: Int32

        convenience init(path: String, receiveBuffer: Int32? = nil) throws {
            try self.init(address: .unix(path: path), receiveBuffer: receiveBuffer)
        }

        init(address: ServiceAddress, receiveBuffer: Int32? = nil) throws {
            let ok: Int32
            switch address {
            case let .unix(path):
                fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
                var addr = sockaddr_un()
                addr.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                    let bytes = Array(path.utf8)
                    raw.copyBytes(from: bytes.prefix(raw.count - 1))
                }
                ok = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            case let .tcp(_, port):
                fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = in_port_t(UInt16(port).bigEndian)
                addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
                ok = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            guard ok == 0 else { throw ServiceError.unreachable(address.description, String(cString: strerror(errno))) }
            // Generous: the service shares this test process's threads with every other suite running.
            var timeout = timeval(tv_sec: 180, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ message: Wire.ClientMessage, version: UInt8 = Wire.version) throws {
            let encoder = JSONEncoder()
            encoder.userInfo[EventView.wireFormat] = true
            let body = [version] + Array(try encoder.encode(message))
            var frame = withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
            while !frame.isEmpty {
                let n = frame.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw ServiceError.closed }
                frame.removeFirst(n)
            }
        }

        struct Silent: Error, CustomStringConvertible { var description: String { "the service said nothing for 180 s" } }

        /// `n` bytes, or nil when the service closed the connection.
        private func read(exactly n: Int) throws -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: n)
            var got = 0
            while got < n {
                let r = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
                if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Silent() }
                guard r > 0 else { return nil }
                got += r
            }
            return out
        }

        /// The next message, or nil when the service closed the connection.
        func receive() throws -> Wire.ServerMessage? {
            guard let header = try read(exactly: 4) else { return nil }
            let length = Int(header.withUnsafeBytes { $0.load(as: UInt32.self).bigEndian })
            guard let body = try read(exactly: length) else { return nil }
            let decoder = JSONDecoder()
            decoder.userInfo[EventView.wireFormat] = true
            #expect(body.first == Wire.version)
            return try decoder.decode(Wire.ServerMessage.self, from: Data(body.dropFirst()))
        }

        /// True while the service has neither closed the connection nor sent anything: a look, not a wait.
        var openAndQuiet: Bool {
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        }

        func hello(token: String? = nil) throws {
            try send(.hello(Wire.Hello(version: Wire.version, token: token, client: "raw test client")))
            let answer = try receive()
            guard case .welcome = answer else { throw ServiceError.refused("no welcome: \(String(describing: answer)) errno \(errno)") }
        }
    }

    @Test func aClientSpeakingAnotherVersionIsToldWhichOneThisIs() async throws {
        let (c, s, running) = try await started()
        let raw = try RawClient(path: socketPath)
        try raw.send(.hello(Wire.Hello(version: 9, token: nil, client: "future")), version: 9)
        let answer = try await blocking { try raw.receive() }
        guard case let .refused(why) = answer else { Issue.record("no refusal: \(String(describing: answer))"); return await stop(c, s, running) }
        #expect(why.contains("protocol version 9"))
        let after = try await blocking { try raw.receive() }
        #expect(after == nil, "the service closes the connection")
        await stop(c, s, running)
    }

    @Test func aTCPServiceRefusesAWrongTokenAndServesTheRightOne() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let server = try await GovernanceServer.bind(engine: client.local!, address: .tcp(host: "127.0.0.1", port: 0), token: "sesame",
                                                     handshake: Self.patientLobby)
        let running = Task { await server.run() }
        await #expect(throws: ServiceError.self) {
            _ = try await RemoteBackend.connect(to: server.address, token: "wrong", client: "test")
        }
        let remote = try await RemoteBackend.connect(to: server.address, token: "sesame", client: "test")
        #expect(try await remote.status().height == 0)
        await remote.close()
        await stop(client, server, running)
    }

    /// A client that sends a signed vote and hangs up at once: the vote is either recorded whole or not at
    /// all, and the voter's next vote goes through as if nothing had happened.
    @Test func aClientThatHangsUpMidRequestLeavesNoHalfAppliedState() async throws {
        let (c, s, running) = try await started()
        _ = try await c.propose(.removeMember(name: "erin"), as: "ops")
        let key = try c.keystore.load("alice")
        for round in 0..<5 {
            let context = try await c.local!.signingContext(for: "alice", proposal: 1)
            let tx = Transaction.signed(chain: context.chain, sender: "alice", nonce: context.nonce, lane: .production,
                                        payload: .governance(.vote(proposal: 1, request: context.voteRequest!, choice: round % 2 == 0 ? .reject : .abstain)), key: key)
            let raw = try RawClient(path: socketPath)
            try await blocking { try raw.hello() }
            try raw.send(.request(id: 1, .submit(tx: Wire.bytes(tx), since: context.height)))
            _ = raw // closed here
        }
        // Whatever landed, the next vote is counted once, and alice has exactly one vote.
        let remote = GovernanceClient(backend: try await RemoteBackend.connect(to: .unix(path: socketPath), token: nil, client: "test"), keystore: c.keystore)
        let result = try await remote.vote(1, "approve", as: "alice")
        #expect(result.tally.approve == 1 && result.tally.voted == 1)
        let detail = try await remote.proposal(1)
        #expect(detail.votes.map(\.voter) == ["alice"])
        await remote.close()
        await stop(c, s, running)
    }

    /// A follower that stops reading fills its own bounded subscription, never the others': a normal
    /// client sees every block at once, and the stuck one, when it reads again, is told to resynchronise.
    @Test func aStuckFollowerIsToldToResyncAndNeverSlowsTheOthers() async throws {
        let (c, s, running) = try await started()
        let stuck = try RawClient(path: socketPath, receiveBuffer: 4096)
        try await blocking { try stuck.hello() }
        let from = try await c.status().height + 1
        try stuck.send(.follow(from: from))

        let remote = try await RemoteBackend.connect(to: .unix(path: socketPath), token: nil, client: "test")
        let feed = await remote.feed(from: from)
        let key = try c.keystore.load("alice")
        let chain = await c.local!.chainState().genesisHash
        let blocks = 200
        var nonce: UInt64 = 1
        let platform = c.local!.platform
        for _ in 0..<blocks {
            let txs = (0..<25).map { _ -> Transaction in
                defer { nonce += 1 }
                return .signed(chain: chain, sender: "alice", nonce: nonce, lane: .production,
                               payload: .call(ContractCall(contract: "asset-ledger", function: "issue", args: ["1"])), key: key)
            }
            for r in await platform.submit(batch: txs) { _ = try r.get() }
        }
        let head = try await c.status().height
        // The normal follower has every block, in order, while the stuck one has read nothing.
        var seen: UInt64 = from - 1
        for await item in feed {
            guard case let .block(h, _) = item else { Issue.record("the normal follower got \(item)"); break }
            #expect(h == seen + 1)
            seen = h
            if h == head { break }
        }
        #expect(seen == head)
        await remote.close()

        let (resync, frames) = try await blocking { () -> (UInt64?, Int) in
            var frames = 0
            while let message = try stuck.receive() {
                frames += 1
                if case let .resync(at) = message { return (at, frames) }
            }
            return (nil, frames)
        }
        #expect(resync != nil, "the stuck follower was never told to resync (read \(frames) frames)")
        #expect(frames < blocks, "a resync replaces the blocks it missed")
        await stop(c, s, running)
    }
}
