import ChainPrimitives

// Part of the chain state's canonical encoding (see `ChainState`).
extension NodeRecord: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name); w.string(logic); w.u64(blocksProposed); w.u64(transactionsHandled); w.u64(faultRate)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        blocksProposed = try r.u64(); transactionsHandled = try r.u64(); faultRate = try r.u64()
    }
}
