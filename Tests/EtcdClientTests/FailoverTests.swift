@testable import EtcdClient
import EtcdLauncher
import Testing

/// A call moves past a dead endpoint at once and the next call starts from the one that answered.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct FailoverTests {
    @Test func aDeadEndpointIsPassedAndTheNextCallStartsFromTheLiveOne() async throws {
        let dead = try #require(freeLoopbackPorts(1).first.map { "http://127.0.0.1:\($0)" })
        let key = freshPrefix("failover") + bytes("k")
        // A deadline beyond the test's limit: the put can succeed only by moving on from the refused endpoint.
        try await withClient([dead, cluster().endpoints[0]], requestTimeout: .seconds(3600)) { client in
            #expect(client.preferred.withLock { $0 } == 0)
            try await client.put(key, bytes("v"))
            #expect(client.preferred.withLock { $0 } == 1)
            #expect(try await client.get(key)?.value == bytes("v"))
        }
    }
}
