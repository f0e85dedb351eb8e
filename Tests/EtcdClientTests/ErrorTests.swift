import EtcdClient
import EtcdLauncher
import Testing

/// What a user can get wrong, and what etcd can refuse: each a named error with a one-line description.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct ErrorTests {
    @Test func endpointsThatAreNotURLsAreRefused() {
        #expect(throws: EtcdError.noEndpoints) { try EtcdClient(endpoints: []) }
        for bad in ["127.0.0.1:2379", "http://127.0.0.1", "http://127.0.0.1:port", "http://:2379", "tcp://127.0.0.1:2379", "http://h:2379/v3"] {
            #expect(throws: EtcdError.badEndpoint(bad)) { try EtcdClient(endpoints: ["http://127.0.0.1:2379", bad]) }
        }
        let client = try? EtcdClient(endpoints: ["http://127.0.0.1:2379/", "https://localhost:2379"])
        #expect(client?.endpoints == ["http://127.0.0.1:2379", "https://localhost:2379"])
    }

    @Test func allEndpointsDeadIsUnreachableWithoutWaitingForTheDeadline() async throws {
        let dead = freeLoopbackPorts(3).map { "http://127.0.0.1:\($0)" }
        try #require(dead.count == 3)
        // A deadline far beyond the test's limit: only moving on at once can answer `unreachable` in time.
        try await withClient(dead, requestTimeout: .seconds(3600)) { client in
            #expect(await etcdError { try await client.put(bytes("k"), bytes("v")) } == .unreachable(endpoints: dead))
            #expect(await etcdError { _ = try await client.append(bytes("k"), value: bytes("v"), after: nil) } == .unreachable(endpoints: dead))
            var thrown: (any Error)?
            do {
                for try await _ in client.watch(prefix: bytes("k"), fromRevision: 1) {}
            } catch {
                thrown = error
            }
            #expect(thrown as? EtcdError == .unreachable(endpoints: dead))
            #expect(await client.status().allSatisfy { $0.answered == nil })
        }
    }

    @Test func aValueOverEtcdsRequestLimitIsRequestTooLargeAndWritesNothing() async throws {
        let key = freshPrefix("large") + bytes("k")
        // 1.6 MB passes the gateway and etcd refuses it ("request is too large", code 3); 2 MiB the gateway
        // itself refuses ("received message larger than max", code 8, HTTP 429).
        for size in [1_600_000, 2 << 20] {
            let value = [UInt8](repeating: 0x61, count: size)
            try await withClient { client in
                #expect(await etcdError { try await client.put(key, value) } == .requestTooLarge(bytes: key.count + value.count))
                #expect(await etcdError { _ = try await client.append(key, value: value, after: nil) } == .requestTooLarge(bytes: key.count + value.count))
                let stored = try await client.get(key)
                #expect(stored == nil)
            }
        }
    }

    @Test func everyDescriptionIsOneLineThatSaysWhatToDo() {
        let errors: [EtcdError] = [
            .noEndpoints, .badEndpoint("x\ny"), .unreachable(endpoints: ["http://127.0.0.1:1"]), .unavailable("etcdserver: no leader\n"),
            .requestTooLarge(bytes: 2 << 20), .compacted(revision: 5), .leaseNotFound(7), .watchLost(endpoint: "http://e:1", reason: "reset\n"),
            .server(code: 8, message: "etcdserver: mvcc: database space exceeded"), .malformedResponse("{\n"), .cancelled,
        ]
        for error in errors {
            #expect(!error.description.contains("\n"), "\(error)")
        }
        #expect(EtcdError.unreachable(endpoints: ["http://127.0.0.1:1"]).description
            == "etcd unreachable at http://127.0.0.1:1: start it or pass the right --etcd endpoints")
        #expect(LaunchError.etcdNotFound.description == "etcd not found: apt-get install etcd-server")
        #expect(!LaunchError.memberExited(member: 1, reason: "a\nb").description.contains("\n"))
    }
}
