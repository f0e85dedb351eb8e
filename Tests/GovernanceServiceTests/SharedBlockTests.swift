import ChainModel
import ChainPrimitives
@testable import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import GovernanceService
import ServiceClient
@testable import ServicePlatform
import Testing

/// Requests that reach `serve` together share a block, and so one fsync: the engine holds a request's
/// turn only until it is queued for the producer, not until its block is durable.
@Suite struct SharedBlockTests: InProcessService {
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-shared-\(UUID().uuidString.prefix(8))")
    var socketPath: String { dir.path + "/govconsole.sock" }
    static let voters = (1...100).map { "voter-\($0)" }

    /// An admin and a hundred voters of weight 1.
    static func consortium() throws -> Consortium {
        var c = try Consortium.demo()
        c.seats = [Consortium.Seat(name: "ops", role: .admin, weight: 0)] + voters.map { Consortium.Seat(name: $0, role: .voter, weight: 1) }
        return c
    }

    /// Polls a condition that only progress can make true; the limit is there to fail, not to pace.
    func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
        let limit = ContinuousClock.now + .seconds(240)
        while !(await condition()) {
            guard ContinuousClock.now < limit else {
                Issue.record("gave up waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func aHundredConcurrentVotesThroughServeShareFewBlocks() async throws {
        let client = try await GovernanceClient.create(at: dir, consortium: try Self.consortium())
        let engine = try #require(client.local)
        let server = try await GovernanceServer.bind(engine: engine, address: .unix(path: socketPath), token: nil,
                                                     handshake: ServiceProtocolTests.patientLobby)
        let running = Task { await server.run() }
        _ = try await client.propose(.addMember(name: "newcomer", role: .voter, weight: 1, publicKey: SigningKey().publicKey), as: "ops")
        var connected: [GovernanceClient] = []
        for _ in 0..<10 {
            let backend = try await RemoteBackend.connect(to: .unix(path: socketPath), token: nil, client: "test")
            connected.append(GovernanceClient(backend: backend, keystore: client.keystore))
        }
        let remotes = connected
        let chain = engine.platform.chain
        let before = try await client.status().height
        // The producer is held until every vote is queued, so the count below does not depend on how fast
        // this machine is; every vote abstains, so none settles the proposal before the others land.
        await chain.setSealingPaused(true)
        let voting = Task {
            try await withThrowingTaskGroup(of: VoteResult.self) { group in
                for (i, voter) in Self.voters.enumerated() {
                    let remote = remotes[i % remotes.count]
                    group.addTask { try await remote.vote(1, "abstain", as: voter) }
                }
                return try await group.reduce(into: [VoteResult]()) { $0.append($1) }
            }
        }
        try await waitUntil("all 100 votes were queued") { await chain.pendingCount == Self.voters.count }
        await chain.setSealingPaused(false)
        let results = try await voting.value
        #expect(results.count == Self.voters.count)
        let blocks = try await client.status().height - before
        #expect(blocks <= 10, "100 concurrent votes took \(blocks) blocks (and as many fsyncs)")
        let detail = try await client.proposal(1)
        #expect(detail.tally.abstain == UInt64(Self.voters.count))
        // Each reply carries the tally its own vote left and the block it went into, not whatever the
        // chain had reached by the time the reply was sent.
        #expect(Set(results.map(\.tally.voted)) == Set(1...UInt64(Self.voters.count)))
        for block in try await client.local!.platform.readBlocks(from: before + 1) {
            let ids = Set(block.transactions.map(\.id.hex))
            for r in results where ids.contains(r.tx) { #expect(r.height == block.height, "vote \(r.tx.prefix(8)) replied with height \(r.height)") }
        }
        for remote in remotes { await remote.close() }
        await stop(client, server, running)
    }

    /// A burst of more requests than the service takes on one connection waits in the client for answers,
    /// instead of the service refusing what is over its limit.
    @Test func aBurstBeyondTheServicesLimitWaitsInTheClientInsteadOfBeingRefused() async throws {
        let voters = (1...Wire.maxRequestsInFlight + 44).map { "burst-\($0)" }
        var consortium = try Consortium.demo()
        consortium.seats = [Consortium.Seat(name: "ops", role: .admin, weight: 0)] + voters.map { Consortium.Seat(name: $0, role: .voter, weight: 1) }
        let client = try await GovernanceClient.create(at: dir, consortium: consortium)
        let engine = try #require(client.local)
        let server = try await GovernanceServer.bind(engine: engine, address: .unix(path: socketPath), token: nil,
                                                     handshake: ServiceProtocolTests.patientLobby)
        let running = Task { await server.run() }
        _ = try await client.propose(.addMember(name: "newcomer", role: .voter, weight: 1, publicKey: SigningKey().publicKey), as: "ops")
        let backend = try await RemoteBackend.connect(to: .unix(path: socketPath), token: nil, client: "test")
        let remote = GovernanceClient(backend: backend, keystore: client.keystore)
        let chain = engine.platform.chain
        // Held, every vote stays unanswered: the first 256 fill the connection, the rest must wait.
        await chain.setSealingPaused(true)
        let voting = Task {
            try await withThrowingTaskGroup(of: VoteResult.self) { group in
                for voter in voters { group.addTask { try await remote.vote(1, "abstain", as: voter) } }
                return try await group.reduce(into: [VoteResult]()) { $0.append($1) }
            }
        }
        try await waitUntil("the connection's limit of votes was queued") { await chain.pendingCount == Wire.maxRequestsInFlight }
        await chain.setSealingPaused(false)
        let results = try await voting.value
        #expect(results.count == voters.count, "every vote answered, none refused")
        #expect(try await client.proposal(1).tally.abstain == UInt64(voters.count))
        await backend.close()
        await stop(client, server, running)
    }
}
