import Foundation

extension EtcdClient {
    /// Creates `key` holding `value` only if it does not exist yet and, when `predecessor` is given, only
    /// if that key does: one txn, so a log built of appends has no gaps and no key is written twice.
    ///
    /// Safe to repeat: a try that timed out may have committed, and repeating it then answers `.taken`
    /// with the stored value, which the caller compares with its own.
    /// With `lease`, the key goes when the lease does.
    public func append(_ key: [UInt8], value: [UInt8], after predecessor: [UInt8]?, lease: Int64? = nil) async throws(EtcdError) -> AppendOutcome {
        var compare = [Compare(key: Data(key), result: "EQUAL", createRevision: EtcdNumber(0))]
        if let predecessor {
            compare.append(Compare(key: Data(predecessor), result: "GREATER", createRevision: EtcdNumber(0)))
        }
        let request = TxnRequest(
            compare: compare,
            success: [RequestOp(requestPut: PutRequest(key: Data(key), value: Data(value), lease: lease.map(EtcdNumber.init)))],
            failure: [RequestOp(requestRange: RangeRequest(key: Data(key)))]
        )
        let response = try await call("/v3/kv/txn", request, payloadBytes: key.count + value.count, as: TxnResponse.self)
        if response.succeeded == true {
            return .created(revision: response.header?.revision.orZero() ?? 0)
        }
        // The failure branch read the key: if it exists the key was taken, otherwise the predecessor was missing.
        guard let range = response.responses?.first?.responseRange else {
            throw .malformedResponse("a failed append txn without its range of the key")
        }
        if let stored = range.kvs?.first { return .taken(KeyValue(stored)) }
        return .predecessorMissing
    }
}
