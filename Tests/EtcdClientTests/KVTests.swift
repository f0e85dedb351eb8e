import EtcdClient
import Testing

/// Put, get, range and delete against a real etcd: each request field is checked by its effect.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct KVTests {
    @Test func putThenGetReturnsTheValueAndItsRevisions() async throws {
        let prefix = freshPrefix("put")
        try await withClient { client in
            let key = prefix + bytes("k")
            let first = try await client.put(key, bytes("one"))
            let stored = try #require(try await client.get(key))
            #expect(stored == KeyValue(key: key, value: bytes("one"), createRevision: first, modRevision: first, version: 1))
            let second = try await client.put(key, bytes("two"))
            #expect(second > first)
            let again = try #require(try await client.get(key))
            #expect(again.value == bytes("two") && again.createRevision == first && again.modRevision == second && again.version == 2)
            #expect(try await client.get(prefix + bytes("missing")) == nil)
        }
    }

    @Test func aRangeOverAPrefixHonoursItsEndLimitAndOrder() async throws {
        let prefix = freshPrefix("range")
        try await withClient { client in
            let names = ["a", "b", "c", "d", "e"]
            for name in names { try await client.put(prefix + bytes(name), bytes("v" + name)) }
            // Just past the prefix: the range end itself, which a range excludes.
            let outside = EtcdClient.prefixEnd(prefix)
            let last = try await client.put(outside, bytes("outside"))
            let all = try await client.range(from: prefix, to: EtcdClient.prefixEnd(prefix))
            #expect(all.kvs.map(\.key) == names.map { prefix + bytes($0) })
            #expect(all.kvs.map(\.value) == names.map { bytes("v" + $0) })
            #expect(all.count == 5 && !all.more && all.revision >= last)

            let firstTwo = try await client.range(from: prefix, to: EtcdClient.prefixEnd(prefix), limit: 2)
            #expect(firstTwo.kvs.map(\.key) == [prefix + bytes("a"), prefix + bytes("b")])
            #expect(firstTwo.count == 5 && firstTwo.more)

            let lastOne = try await client.range(from: prefix, to: EtcdClient.prefixEnd(prefix), limit: 1, descending: true)
            #expect(lastOne.kvs.map(\.key) == [prefix + bytes("e")])
            #expect(lastOne.count == 5 && lastOne.more)

            let empty = try await client.range(from: prefix + bytes("x"), to: EtcdClient.prefixEnd(prefix + bytes("x")))
            #expect(empty.kvs.isEmpty && empty.count == 0 && !empty.more && empty.revision >= last)
        }
    }

    @Test func deleteRangeDeletesThePrefixAndNothingPastIt() async throws {
        let prefix = freshPrefix("delete")
        try await withClient { client in
            for name in ["a", "b", "c"] { try await client.put(prefix + bytes(name), bytes(name)) }
            let outside = EtcdClient.prefixEnd(prefix)
            try await client.put(outside, bytes("stays"))
            #expect(try await client.deleteRange(from: prefix + bytes("a")) == 1)
            #expect(try await client.deleteRange(from: prefix, to: EtcdClient.prefixEnd(prefix)) == 2)
            #expect(try await client.range(from: prefix, to: EtcdClient.prefixEnd(prefix)).count == 0)
            #expect(try await client.get(outside)?.value == bytes("stays"))
        }
    }

    @Test func prefixEndRaisesTheLastByteBelow0xff() {
        #expect(EtcdClient.prefixEnd(bytes("log/")) == bytes("log0"))
        #expect(EtcdClient.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(EtcdClient.prefixEnd([0xff, 0xff]) == [0])
        #expect(EtcdClient.prefixEnd([]) == [0])
    }
}
