import EtcdClient
import Testing

/// Leases: a key bound to one goes when it ends; keep-alive renews the TTL granted; revoke ends it at once.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct LeaseTests {
    @Test func aKeyBoundToAnExpiredLeaseIsDeleted() async throws {
        let key = freshPrefix("expiry") + bytes("presence")
        try await withClient { client in
            // Long enough that the put and the read after it land inside it on a loaded machine (2 s did
            // not, once, with both cores busy); the wait below is by progress, so it costs only the TTL.
            let lease = try await client.grantLease(ttlSeconds: 10)
            try await client.put(key, bytes("up"), lease: lease)
            #expect(try await client.get(key)?.lease == lease)
            try await waitUntil("the lease expires and takes the key with it") { try await client.get(key) == nil }
            #expect(await etcdError { try await client.keepAlive(lease: lease) } == .leaseNotFound(lease))
        }
    }

    @Test func keepAliveRenewsTheTTLGrantedAndRevokeEndsTheLease() async throws {
        let key = freshPrefix("revoke") + bytes("presence")
        try await withClient { client in
            let lease = try await client.grantLease(ttlSeconds: 600)
            try await client.put(key, bytes("up"), lease: lease)
            #expect(try await client.keepAlive(lease: lease) == 600)
            try await client.revoke(lease: lease)
            #expect(try await client.get(key) == nil)
            #expect(await etcdError { try await client.keepAlive(lease: lease) } == .leaseNotFound(lease))
            #expect(await etcdError { try await client.revoke(lease: lease) } == .leaseNotFound(lease))
        }
    }
}
