import Foundation
import GovernanceAPI
@testable import GovernanceEngine
@testable import GovernanceService
@testable import ServiceClient
import Testing

/// Strangers cannot hold the service's sockets: a peer that never says hello is closed, and a crowd of
/// them pushes out its own longest-waiting, never the members. Every wait here is for something to
/// happen (a raw client gives up only after 60 s of silence), never a bet on how fast it happens.
@Suite struct HandshakeLimitTests: InProcessService {
    typealias RawClient = ServiceProtocolTests.RawClient
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-lobby-\(UUID().uuidString.prefix(8))")

    func started(address: ServiceAddress, token: String?, limits: HandshakeLimits) async throws -> (GovernanceClient, GovernanceServer, Task<Void, Never>) {
        let client = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let server = try await GovernanceServer.bind(engine: client.local!, address: address, token: token, handshake: limits)
        return (client, server, Task { await server.run() })
    }

    /// Asks for the status on a welcomed raw connection and expects the answer.
    func expectServed(_ member: RawClient, id: UInt64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try member.send(.request(id: id, .status))
        let answer = try await blocking { try member.receive() }
        guard case let .response(answered, .status) = answer else {
            Issue.record("a member was not answered: \(String(describing: answer))", sourceLocation: sourceLocation)
            return
        }
        #expect(answered == id, sourceLocation: sourceLocation)
    }

    /// Over TCP, as measured: a connection that sends nothing is closed once its time is up, while a member
    /// welcomed before it, on a connection older than that time, is still answered.
    @Test func aTCPPeerThatNeverSaysHelloIsClosedAndMembersStayServed() async throws {
        let (c, s, running) = try await started(address: .tcp(host: "127.0.0.1", port: 0), token: "sesame",
                                                limits: HandshakeLimits(timeout: .seconds(5)))
        let member = try RawClient(address: s.address)
        try await blocking { try member.hello(token: "sesame") }
        let silent = try RawClient(address: s.address)
        let heard = try await blocking { try silent.receive() }
        #expect(heard == nil, "the silent peer was sent \(String(describing: heard)) instead of being closed")
        try await expectServed(member, id: 1)
        await stop(c, s, running)
    }

    /// The indices of `peers` the service has closed, once at least `count` are (or after 180 s, however many are).
    func closed(_ peers: [RawClient], atLeast count: Int) async throws -> Set<Int> {
        try await blocking {
            let deadline = Date().addingTimeInterval(180)
            var shut: Set<Int> = []
            while shut.count < count && Date() < deadline {
                var fds = peers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
                _ = poll(&fds, nfds_t(fds.count), 1000)
                for (i, p) in peers.enumerated() where !p.openAndQuiet { shut.insert(i) }
            }
            return shut
        }
    }

    /// With room for 4 waiting, 7 silent peers: 3 are pushed out; a member arriving then is welcomed and
    /// answered (whether it pushed out one more depends on whether its hello arrived before the server
    /// counted it, which is the point: a peer that spoke is never the one waiting), and so are the members
    /// welcomed earlier, more of them than the lobby holds.
    @Test func aFullLobbyClosesTheLongestWaitingAndStillLetsMembersIn() async throws {
        // A timeout no test run reaches: only the cap closes anything here.
        let (c, s, running) = try await started(address: .unix(path: dir.path + "/govconsole.sock"), token: nil,
                                                limits: HandshakeLimits(timeout: .seconds(3600), capacity: 4))
        var members: [RawClient] = []
        for _ in 0..<6 {
            let m = try RawClient(address: s.address)
            try await blocking { try m.hello() }
            members.append(m)
        }
        let silent = try (0..<7).map { _ in try RawClient(address: s.address) }
        let first = try await closed(silent, atLeast: 3)
        #expect(first.count == 3, "7 silent peers with room for 4: \(first.count) were closed")
        let late = try RawClient(address: s.address)
        try await blocking { try late.hello() }
        try await expectServed(late, id: 1)
        let then = try await closed(silent, atLeast: 3)
        #expect(then.count == 3 || then.count == 4, "no more than one more silent peer pushed out; \(then.count) are closed")
        for (i, m) in members.enumerated() { try await expectServed(m, id: UInt64(10 + i)) }
        await stop(c, s, running)
    }
}
