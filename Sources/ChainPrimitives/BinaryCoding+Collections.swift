// Helpers for the chain state's maps, sets and named enums: each has exactly one encoding.
extension ByteWriter {
    /// A string-keyed map in key order.
    package mutating func map<V>(_ m: [String: V], _ body: (inout ByteWriter, V) -> Void) {
        array(Self.ascending(m.keys)) { w, key in w.string(key); body(&w, m[key]!) }
    }

    /// `keys` in `String` order. Encoding the state sorts every member's name and every sender's nonce,
    /// and comparing `String`s was half of it. For ASCII, which every name is (`Names.validate`), `String`
    /// order is byte order: keys are sorted by their first 16 bytes as two integers, zero-padded, and by
    /// `String` only where those tie. Any key beyond ASCII sorts the whole set the plain way.
    package static func ascending(_ keys: some Collection<String>) -> [String] {
        var keyed: [(high: UInt64, low: UInt64, key: String)] = []
        keyed.reserveCapacity(keys.count)
        for key in keys {
            var high: UInt64 = 0, low: UInt64 = 0, n = 0
            for byte in key.utf8 {
                guard byte < 0x80 else { return keys.sorted() }
                if n < 8 { high |= UInt64(byte) << (56 - 8 * n) } else if n < 16 { low |= UInt64(byte) << (56 - 8 * (n - 8)) }
                n += 1
            }
            keyed.append((high, low, key))
        }
        keyed.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            return a.key < b.key
        }
        return keyed.map(\.key)
    }
}

extension ByteReader {
    /// A count written by `array` or `map`; each entry takes at least a byte, so more than remain is a lie.
    package mutating func count() throws(DecodingFailure) -> Int {
        let n = Int(try u32())
        guard n <= remaining else { throw DecodingFailure("count \(n) is impossible here") }
        return n
    }

    /// A map written by `ByteWriter.map`: keys must come in strictly increasing order, so one map has one encoding.
    package mutating func map<V>(_ body: (inout ByteReader) throws(DecodingFailure) -> V) throws(DecodingFailure) -> [String: V] {
        var out: [String: V] = [:]
        var last: String?
        for _ in 0..<(try count()) {
            let key = try string(limit: Limits.maxNameBytes)
            if let last, key <= last { throw DecodingFailure("map keys out of order at '\(key)'") }
            last = key
            out[key] = try body(&self)
        }
        return out
    }

    package mutating func publicKey() throws(DecodingFailure) -> PublicKey { PublicKey(bytes: try raw(32))! }

    /// A collection written in strictly increasing key order, each key followed by whatever `each`
    /// reads: one set or map has exactly one encoding.
    package mutating func ascending<K>(_ key: (inout ByteReader) throws(DecodingFailure) -> K, by less: (K, K) -> Bool,
                               _ each: (inout ByteReader, K) throws(DecodingFailure) -> Void) throws(DecodingFailure) {
        var last: K?
        for _ in 0..<(try count()) {
            let k = try key(&self)
            if let last, !less(last, k) { throw DecodingFailure("keys out of order or repeated") }
            last = k
            try each(&self, k)
        }
    }

    package mutating func ratio() throws(DecodingFailure) -> Ratio {
        guard let r = Ratio(ppm: try u64()) else { throw DecodingFailure("ratio above 1") }
        return r
    }

    package mutating func named<E: RawRepresentable<String>>(_: E.Type) throws(DecodingFailure) -> E {
        let raw = try string(limit: Limits.maxNameBytes)
        guard let e = E(rawValue: raw) else { throw DecodingFailure("unknown \(E.self) '\(raw)'") }
        return e
    }
}
