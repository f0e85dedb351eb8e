import ChainPrimitives

/// A node of the chain and the version of transaction-processing logic it runs.
public struct NodeRecord: Hashable, Sendable {
    public let name: String
    public package(set) var logic: String
    public package(set) var blocksProposed: UInt64 = 0
    public package(set) var transactionsHandled: UInt64 = 0
    /// Injected failures, parts per million of the contract calls this node processes.
    public package(set) var faultRate: UInt64 = 0

    public init(name: String, logic: String) {
        self.name = name
        self.logic = logic
    }
}

extension NodeRecord: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name); w.string(logic); w.u64(blocksProposed); w.u64(transactionsHandled); w.u64(faultRate)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        blocksProposed = try r.u64(); transactionsHandled = try r.u64(); faultRate = try r.u64()
    }
}
