@testable import GovernanceService
import NIOCore
import NIOEmbedded
import Testing

/// The lobby's clock is the peer's, not the server's: once a connection's first whole frame has come in,
/// no timer or cap may close it, however long the server takes to read it. Time here moves only when
/// the test says so (an embedded event loop).
@Suite struct LobbyTests {
    func connected() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func aSilentPeerIsClosedWhenItsTimeRunsOut() throws {
        let lobby = Lobby(limits: HandshakeLimits(timeout: .seconds(10)), log: { _ in })
        let channel = try connected()
        lobby.enter(channel, peer: "")
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        #expect(!lobby.leave(channel), "a peer put out is not welcomed afterwards")
    }

    @Test func aPeerWhoseHelloArrivedIsNotClosedWhileTheServerIsSlow() throws {
        let lobby = Lobby(limits: HandshakeLimits(timeout: .seconds(10)), log: { _ in })
        let early = try connected(), late = try connected()
        // One hello arrives after the server counted the connection, one before it did.
        lobby.enter(early, peer: "")
        lobby.heard(early)
        lobby.heard(late)
        lobby.enter(late, peer: "")
        early.embeddedEventLoop.advanceTime(by: .seconds(60))
        late.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(early.isActive && late.isActive)
        #expect(lobby.leave(early) && lobby.leave(late), "both are welcomed when the server reads them")
    }

    @Test func aPeerThatSpokeIsNotCountedAgainstTheCap() throws {
        let lobby = Lobby(limits: HandshakeLimits(timeout: .seconds(3600), capacity: 2), log: { _ in })
        let member = try connected()
        lobby.enter(member, peer: "")
        lobby.heard(member)
        let strangers = try (0..<3).map { _ in try connected() }
        for s in strangers { lobby.enter(s, peer: "") }
        #expect(member.isActive, "the member is not the one pushed out")
        #expect(strangers.map(\.isActive) == [false, true, true], "the longest-waiting stranger is")
    }
}
