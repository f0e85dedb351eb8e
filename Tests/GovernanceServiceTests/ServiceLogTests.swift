import Foundation
import GovernanceAPI
@testable import GovernanceEngine
@testable import GovernanceService
import NIOCore
import NIOEmbedded
@testable import ServiceClient
import Testing

/// What the service says in its log: one line per event, peers' text escaped, through swift-log.
@Suite struct ServiceLogTests: InProcessService {
    typealias RawClient = ServiceProtocolTests.RawClient
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-log-\(UUID().uuidString.prefix(8))")

    func started(_ log: CapturedLog) async throws -> (GovernanceClient, GovernanceServer, Task<Void, Never>) {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let server = try await GovernanceServer.bind(engine: client.local!, address: .unix(path: dir.path + "/govconsole.sock"),
                                                     token: nil, logger: log.logger)
        return (client, server, Task { await server.run() })
    }

    /// The first line containing `text`, once one is logged (or after 120 s, nil).
    func line(containing text: String, in log: CapturedLog) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let line = log.lines.first(where: { $0.contains(text) }) { return line }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// A frame announcing more than the limit is refused through the NIOExtras decoder with the error
    /// the service always gave, and the connection closed.
    @Test func aFrameOverTheLimitIsRefusedAndLogged() async throws {
        let log = CapturedLog()
        let (c, s, running) = try await started(log)
        let raw = try RawClient(address: s.address)
        var header = UInt32.max.bigEndian
        _ = write(raw.fd, &header, 4)
        let after = try await blocking { try raw.receive() }
        #expect(after == nil, "the service closes the connection")
        let ended = try await line(containing: "ended", in: log)
        #expect(ended == "a connection ended: a 4294967295-byte frame, over the 33554432-byte limit")
        await stop(c, s, running)
    }

    /// A client names itself in its hello; the name is the peer's text, so it is logged escaped, on one line.
    @Test func aHostileClientNameIsLoggedEscapedOnOneLine() async throws {
        let log = CapturedLog()
        let (c, s, running) = try await started(log)
        let raw = try RawClient(address: s.address)
        try raw.send(.hello(Wire.Hello(version: Wire.version, token: nil, client: "evil\u{1B}]0;PWNED\u{07}\nforged \u{202E}line")))
        let welcome = try await blocking { try raw.receive() }
        guard case .welcome = welcome else { Issue.record("no welcome: \(String(describing: welcome))"); return await stop(c, s, running) }
        let connected = try await line(containing: "connected", in: log)
        #expect(connected == "evil\\x1b]0;PWNED\\x07\\nforged \\u202eline connected")
        #expect(!log.lines.joined().unicodeScalars.contains { TerminalText.needsEscape($0) })
        await stop(c, s, running)
    }

    /// A flood of strangers is said once, however many are pushed out; each timed-out stranger once each.
    @Test func theLobbyLogsAnOverflowOnceAndEachTimeout() throws {
        let log = CapturedLog()
        let lobby = Lobby(limits: HandshakeLimits(timeout: .seconds(10), capacity: 1), logger: log.logger)
        let strangers = try (0..<4).map { _ in
            let channel = EmbeddedChannel()
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            return channel
        }
        for s in strangers { lobby.enter(s, peer: " from a stranger") }
        strangers.last!.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(log.lines == [
            "more than 1 connections are waiting to say hello; closing the longest-waiting ones",
            "closed a connection from a stranger that did not say hello within 10s",
        ])
    }
}
