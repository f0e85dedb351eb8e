import Foundation

extension EtcdClient {
    /// Grants a lease of about `ttlSeconds` (etcd raises it to its minimum, ~2 s); returns its id.
    public func grantLease(ttlSeconds: Int64) async throws(EtcdError) -> Int64 {
        let response = try await call("/v3/lease/grant", LeaseGrantRequest(ttl: EtcdNumber(ttlSeconds)), as: LeaseResponse.self)
        if let error = response.error, !error.isEmpty { throw .server(code: -1, message: error) }
        guard let id = response.id?.value, id != 0 else { throw .malformedResponse("a lease grant without an ID") }
        return id
    }

    /// Renews the lease once; returns its TTL in seconds from now. Throws `leaseNotFound` once it has ended.
    @discardableResult
    public func keepAlive(lease: Int64) async throws(EtcdError) -> Int64 {
        // The gateway answers keepalive as a stream of `{"result":…}` lines, one per request object sent.
        let line = try await call("/v3/lease/keepalive", LeaseIDRequest(id: EtcdNumber(lease)), as: StreamLine<LeaseResponse>.self)
        if let error = line.error { throw .server(code: error.grpcCode ?? -1, message: error.message ?? "keepalive failed") }
        let ttl = line.result?.ttl.orZero() ?? 0
        guard ttl > 0 else { throw .leaseNotFound(lease) }
        return ttl
    }

    /// Ends the lease now and deletes every key bound to it.
    public func revoke(lease: Int64) async throws(EtcdError) {
        do throws(EtcdError) {
            _ = try await call("/v3/lease/revoke", LeaseIDRequest(id: EtcdNumber(lease)), as: PutResponse.self)
        } catch {
            if case let .server(_, message) = error, message.contains("lease not found") { throw .leaseNotFound(lease) }
            throw error
        }
    }
}
