import ChainPrimitives
import Rollout

/// The canonical encoding of the chain state: what a state root hashes and what a snapshot stores.
/// Every map is written in sorted key order and every field in declaration order, so equal states have
/// equal bytes on every machine. Derived indexes are written too, so a decoded state is exactly the
/// state that was encoded, with no rebuilding step to get wrong.
extension ChainState: BinaryCodable {
    public static let encodingVersion: UInt8 = 2

    /// SHA-256 of the canonical encoding.
    public var root: Hash256 { Hash256.of(encoded) }

    public func encode(to w: inout ByteWriter) {
        w.u8(Self.encodingVersion)
        w.hash(genesisHash); w.u64(height); w.hash(head); w.u64(time)
        w.encode(management)
        w.map(nonces) { $0.u64($1) }
        w.array(nodes) { $0.encode($1) }
        w.u64(transactionCount)
        w.array(contractStorage.keys.sorted()) { w, name in
            w.string(name)
            let storage = contractStorage[name]!
            w.array(storage.keys.sorted { $0.lexicographicallyPrecedes($1) }) { w, key in
                w.data(key); w.data(storage[key]!)
            }
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw DecodingFailure("state format \(v) is not this govconsole's (\(Self.encodingVersion))") }
        genesisHash = try r.hash(); height = try r.u64(); head = try r.hash(); time = try r.u64()
        management = try r.decode()
        nonces = try r.map { r throws(DecodingFailure) in try r.u64() }
        nodes = try r.array { r throws(DecodingFailure) in try r.decode(NodeRecord.self) }
        transactionCount = try r.u64()
        contractStorage = [:]
        var lastName: String?
        for _ in 0..<(try r.count()) {
            let name = try r.string(limit: Limits.maxNameBytes)
            if let lastName, name <= lastName { throw DecodingFailure("contract storage out of order at '\(name)'") }
            lastName = name
            var storage: [[UInt8]: [UInt8]] = [:]
            var lastKey: [UInt8]?
            for _ in 0..<(try r.count()) {
                let key = try r.data()
                if let lastKey, !lastKey.lexicographicallyPrecedes(key) { throw DecodingFailure("storage keys of \(name) out of order") }
                lastKey = key
                storage[key] = try r.data()
            }
            contractStorage[name] = storage
        }
    }
}
