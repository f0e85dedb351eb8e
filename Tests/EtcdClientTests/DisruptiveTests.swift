import EtcdClient
import EtcdLauncher
import Testing

/// Compaction, a dead leader, a lost quorum and a frozen member, one at a time on a cluster of their own;
/// each leaves all three members running.
@Suite(.ownCluster, .serialized, .timeLimit(.minutes(10))) struct DisruptiveTests {
    @Test func aWatchFromACompactedRevisionThrowsCompacted() async throws {
        let key = freshPrefix("compact") + bytes("k")
        try await withClient { client in
            let old = try await client.put(key, bytes("old"))
            let new = try await client.put(key, bytes("new"))
            try await client.compact(revision: new)
            var thrown: (any Error)?
            do {
                for try await _ in client.watch(prefix: key, fromRevision: old) {}
            } catch {
                thrown = error
            }
            #expect(thrown as? EtcdError == .compacted(revision: new))
            #expect(await etcdError { try await client.compact(revision: old) } == .compacted(revision: old))
            #expect(try await client.get(key)?.value == bytes("new"))  // compaction keeps the latest value
        }
    }

    @Test func killingTheLeaderLeavesWritesToTheOthers() async throws {
        let cluster = try cluster()
        let key = freshPrefix("failover") + bytes("k")
        try await withClient { client in
            let leader = try #require(await cluster.leaderIndex())
            await cluster.kill(member: leader)
            try await waitUntil("another member leads") { await cluster.leaderIndex().map { $0 != leader } ?? false }
            try await client.put(key, bytes("after"))
            #expect(try await client.get(key)?.value == bytes("after"))

            try cluster.restart(member: leader)
            try await cluster.waitUntilHealthy([leader])
            try await withClient([cluster.endpoints[leader]]) { rejoined in
                try await waitUntil("the restarted member has the write") { try await rejoined.get(key)?.value == bytes("after") }
            }
        }
    }

    @Test func withoutQuorumAWriteIsUnavailable() async throws {
        let cluster = try cluster()
        try await withClient { client in
            let before = freshPrefix("quorum") + bytes("before")
            try await client.put(before, bytes("1"))
            await cluster.kill(member: 1)
            await cluster.kill(member: 2)
            // The survivor answers 503 once its own request timeout (7 s) passes; our deadline is far beyond it.
            try await withClient(requestTimeout: .seconds(300)) { patient in
                let error = await etcdError { try await patient.put(freshPrefix("quorum") + bytes("during"), bytes("2")) }
                guard case .unavailable = error else { throw Failure("a write without quorum answered \(String(describing: error))") }
            }
            try await waitUntil("the survivor knows it has no leader") {
                await client.status().compactMap(\.answered).allSatisfy { $0.leaderID == nil && !$0.errors.isEmpty }
            }
            // The survivor still answers from its own copy (a serializable read), what was written before.
            try await withClient(requestTimeout: .seconds(300)) { patient in
                let local = try await patient.range(from: before, to: nil, local: true)
                #expect(local.kvs.map(\.value) == [bytes("1")])
                let error = await etcdError { _ = try await patient.range(from: before, to: nil) }
                guard case .unavailable = error else { throw Failure("a linearizable read without quorum answered \(String(describing: error))") }
            }
            try cluster.restart(member: 1)
            try cluster.restart(member: 2)
            try await cluster.waitUntilHealthy()
            try await client.put(freshPrefix("quorum") + bytes("after"), bytes("3"))
        }
    }

    @Test func aPausedMemberDoesNotAnswerUntilResumed() async throws {
        let cluster = try cluster()
        try await waitUntil("a member leads") { await cluster.leaderIndex() != nil }
        let follower = try #require(await cluster.leaderIndex().map { ($0 + 1) % 3 })
        cluster.pause(member: follower)
        let frozen = try await withClient(requestTimeout: .seconds(3)) { client in
            await client.status()[follower]
        }
        cluster.resume(member: follower)
        guard case let .failure(error) = frozen.report, case .unavailable = error else {
            throw Failure("a paused member's status was \(frozen.report)")
        }
        try await cluster.waitUntilHealthy([follower])
    }
}
