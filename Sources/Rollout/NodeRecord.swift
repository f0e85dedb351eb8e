import ChainPrimitives

/// A node of the chain and the version of transaction-processing logic it runs.
public struct NodeRecord: Hashable, Sendable {
    public let name: String
    public package(set) var logic: String
    public package(set) var blocksProposed: UInt64 = 0
    public package(set) var transactionsHandled: UInt64 = 0
    /// Injected failures, parts per million of the contract calls this node processes.
    public package(set) var faultRate: UInt64 = 0
    /// Whether node routing may pick this node: false once a node of the consortium recorded on chain
    /// that no engine runs it (an engine of a cluster that stopped, or never started), until its engine
    /// records it up again. A single engine runs every node, and they stay up.
    public package(set) var online = true

    public init(name: String, logic: String) {
        self.name = name
        self.logic = logic
    }
}

extension NodeRecord: BinaryCodable {
    /// The top bit of the fault rate's word says the node is down. A fault rate is at most a million, so
    /// the bit is free, and a state in which every node is up encodes as it did before nodes could be
    /// down: the state roots of ledgers sealed then still match.
    static let offlineBit: UInt64 = 1 << 63

    public func encode(to w: inout ByteWriter) {
        w.string(name); w.string(logic); w.u64(blocksProposed); w.u64(transactionsHandled)
        w.u64(faultRate | (online ? 0 : Self.offlineBit))
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        blocksProposed = try r.u64(); transactionsHandled = try r.u64()
        let word = try r.u64()
        faultRate = word & ~Self.offlineBit
        online = word & Self.offlineBit == 0
        guard faultRate <= Ratio.denominator else { throw DecodingFailure("node \(name) has a fault rate above 1") }
    }
}
