import EtcdClient
import Testing

/// A watch from a revision: the history first, then live changes, in revision order, only under its prefix.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct WatchTests {
    @Test func aWatchFromARevisionDeliversHistoryThenLiveEventsInOrder() async throws {
        let prefix = freshPrefix("watch")
        try await withClient { client in
            try await client.put(prefix + bytes("before"), bytes("not seen"))
            let start = try await client.put(prefix + bytes("a"), bytes("1"))
            try await client.put(EtcdClient.prefixEnd(prefix), bytes("outside"))
            try await client.put(prefix + bytes("b"), bytes("2"))

            var seen: [WatchEvent] = []
            for try await events in client.watch(prefix: prefix, fromRevision: start) {
                seen += events
                if seen.count == 2 {  // the history is in: now the live part
                    try await client.put(prefix + bytes("c"), bytes("3"))
                    try await client.deleteRange(from: prefix + bytes("a"))
                }
                if seen.count >= 4 { break }
            }
            #expect(seen.map(\.key) == ["a", "b", "c", "a"].map { prefix + bytes($0) })
            #expect(seen.map(\.value) == [bytes("1"), bytes("2"), bytes("3"), []])
            #expect(seen.map(\.isDelete) == [false, false, false, true])
            #expect(seen.first?.modRevision == start && seen.first?.createRevision == start)
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.modRevision < $1.modRevision })
        }
    }

    @Test func stoppingToIterateAWatchEndsIt() async throws {
        let prefix = freshPrefix("stop")
        try await withClient { client in
            let start = try await client.put(prefix + bytes("a"), bytes("1"))
            for try await _ in client.watch(prefix: prefix, fromRevision: start) { break }
            // More watches than the watch client's pool holds (64): each ended one gave its connection back.
            for _ in 0..<70 {
                for try await _ in client.watch(prefix: prefix, fromRevision: start) { break }
            }
            #expect(try await client.get(prefix + bytes("a"))?.value == bytes("1"))
        }
    }

    @Test func openWatchesDoNotStarveOtherCalls() async throws {
        let prefix = freshPrefix("starve")
        try await withClient([cluster().endpoints[0]]) { client in
            let start = try await client.put(prefix + bytes("a"), bytes("1"))
            // More open watches on one member than async-http-client's default of 8 connections per host.
            let watches = (0..<12).map { _ in client.watch(prefix: prefix, fromRevision: start) }
            var iterators = watches.map { $0.makeAsyncIterator() }
            for index in iterators.indices { _ = try await iterators[index].next() }
            #expect(try await client.put(prefix + bytes("b"), bytes("2")) > start)
            #expect(try await client.get(prefix + bytes("b"))?.value == bytes("2"))
        }
    }
}
