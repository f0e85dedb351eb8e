import Foundation

extension EtcdClient {
    /// Writes `value` at `key`, bound to `lease` if given; returns the store's revision after the write.
    @discardableResult
    public func put(_ key: [UInt8], _ value: [UInt8], lease: Int64? = nil) async throws(EtcdError) -> Int64 {
        let request = PutRequest(key: Data(key), value: Data(value), lease: lease.map(EtcdNumber.init))
        let response = try await call("/v3/kv/put", request, payloadBytes: key.count + value.count, as: PutResponse.self)
        return response.header?.revision.orZero() ?? 0
    }

    /// The key's current value and revisions, or nil when it does not exist.
    public func get(_ key: [UInt8]) async throws(EtcdError) -> KeyValue? {
        try await range(from: key, to: nil).kvs.first
    }

    /// The keys in [`from`, `to`) in key order (`to` nil: just `from`; use `prefixEnd` for a prefix),
    /// at most `limit` of them (nil or 0: all), last key first when `descending`. With `local`, the member
    /// asked answers from its own copy without asking the leader (etcd's serializable read): at once even
    /// without a quorum, and possibly a little behind; for what status shows, not for what decides.
    public func range(from key: [UInt8], to rangeEnd: [UInt8]?, limit: Int64? = nil, descending: Bool = false,
                      local: Bool = false) async throws(EtcdError) -> RangeResult {
        let request = RangeRequest(
            key: Data(key), rangeEnd: rangeEnd.map { Data($0) }, limit: limit.map(EtcdNumber.init),
            sortOrder: descending ? "DESCEND" : nil, sortTarget: descending ? "KEY" : nil, serializable: local ? true : nil
        )
        return RangeResult(try await call("/v3/kv/range", request, as: RangeResponse.self))
    }

    /// Deletes the keys in [`from`, `to`) (`to` nil: just `from`); returns how many were deleted.
    @discardableResult
    public func deleteRange(from key: [UInt8], to rangeEnd: [UInt8]? = nil) async throws(EtcdError) -> Int64 {
        let request = DeleteRangeRequest(key: Data(key), rangeEnd: rangeEnd.map { Data($0) })
        return try await call("/v3/kv/deleterange", request, as: DeleteRangeResponse.self).deleted.orZero()
    }

    /// The end of the range holding every key that starts with `prefix`: the prefix with its last byte
    /// below 0xff raised by one. A prefix of only 0xff bytes (or none) has no end but the whole keyspace: [0].
    public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

extension RangeResult {
    init(_ response: RangeResponse) {
        self.init(
            kvs: (response.kvs ?? []).map(KeyValue.init), count: response.count.orZero(), more: response.more ?? false,
            revision: response.header?.revision.orZero() ?? 0
        )
    }
}
