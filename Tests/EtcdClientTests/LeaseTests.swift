import EtcdClient
import Testing

/// Leases: a key bound to one goes when it ends; keep-alive renews the TTL granted; revoke ends it at once.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct LeaseTests {
    @Test func aKeyBoundToAnExpiredLeaseIsDeleted() async throws {
        let key = freshPrefix("expiry") + bytes("presence")
        try await withClient { client in
            // The put and the read after it must land inside the TTL. A machine too loaded for that (10 s
            // was not enough once, with every suite running) tries again with twice the TTL; the wait
            // below is by progress, so it costs only the TTL.
            var ttl: Int64 = 10, lease: Int64 = 0
            while true {
                lease = try await client.grantLease(ttlSeconds: ttl)
                do {
                    try await client.put(key, bytes("up"), lease: lease)
                    if let found = try await client.get(key) {
                        #expect(found.lease == lease)
                        break
                    }
                } catch where ttl < 160 {
                    // The lease ran out before the put: etcd no longer knows it.
                }
                try #require(ttl < 160, "the key was gone before it could be read, even under a \(ttl) s lease")
                ttl *= 2
            }
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
