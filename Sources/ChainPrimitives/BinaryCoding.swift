/// The canonical binary encoding used for transactions, blocks and receipts.
/// Big-endian fixed-width integers, length-prefixed bytes and strings: one value has exactly one encoding,
/// so hashes and signatures over it are stable across machines.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    public mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
    public mutating func data(_ v: [UInt8]) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    public mutating func string(_ v: String) { data(Array(v.utf8)) }
    public mutating func hash(_ v: Hash256) { raw(v.bytes) }
    public mutating func optional<T>(_ v: T?, _ body: (inout ByteWriter, T) -> Void) {
        if let v { u8(1); body(&self, v) } else { u8(0) }
    }
    public mutating func array<T>(_ v: [T], _ body: (inout ByteWriter, T) -> Void) {
        u32(UInt32(v.count))
        for e in v { body(&self, e) }
    }
    public mutating func encode<T: BinaryEncodable>(_ v: T) { v.encode(to: &self) }
}

public struct DecodingFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int) throws(DecodingFailure) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw DecodingFailure("truncated: needed \(n) bytes at offset \(offset), \(remaining) left") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func u8() throws(DecodingFailure) -> UInt8 { try take(1).first! }
    public mutating func bool() throws(DecodingFailure) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let b: throw DecodingFailure("invalid boolean byte \(b)")
        }
    }
    public mutating func u32() throws(DecodingFailure) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func u64() throws(DecodingFailure) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func raw(_ n: Int) throws(DecodingFailure) -> [UInt8] { Array(try take(n)) }
    public mutating func data(limit: Int = 1 << 24) throws(DecodingFailure) -> [UInt8] {
        let n = Int(try u32())
        guard n <= limit else { throw DecodingFailure("length \(n) exceeds limit \(limit)") }
        return try raw(n)
    }
    public mutating func string(limit: Int = 1 << 16) throws(DecodingFailure) -> String {
        let b = try data(limit: limit)
        guard let s = String(validating: b, as: UTF8.self) else { throw DecodingFailure("invalid UTF-8 string") }
        return s
    }
    public mutating func hash() throws(DecodingFailure) -> Hash256 { Hash256(unchecked: try raw(32)) }
    public mutating func optional<T>(_ body: (inout ByteReader) throws(DecodingFailure) -> T) throws(DecodingFailure) -> T? {
        switch try u8() {
        case 0: return nil
        case 1: return try body(&self)
        case let b: throw DecodingFailure("invalid optional tag \(b)")
        }
    }
    public mutating func array<T>(limit: Int = 1 << 20, _ body: (inout ByteReader) throws(DecodingFailure) -> T) throws(DecodingFailure) -> [T] {
        let n = Int(try u32())
        // Each element takes at least one byte, so a count beyond what is left is a lie, not a big array.
        guard n <= limit, n <= remaining else { throw DecodingFailure("array count \(n) is impossible here") }
        var out = [T]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try body(&self)) }
        return out
    }
    public mutating func decode<T: BinaryDecodable>(_: T.Type = T.self) throws(DecodingFailure) -> T { try T(from: &self) }

    public func expectEnd() throws(DecodingFailure) {
        guard isAtEnd else { throw DecodingFailure("\(remaining) trailing bytes") }
    }
}

public protocol BinaryEncodable {
    func encode(to w: inout ByteWriter)
}

public protocol BinaryDecodable {
    init(from r: inout ByteReader) throws(DecodingFailure)
}

public typealias BinaryCodable = BinaryEncodable & BinaryDecodable

extension BinaryEncodable {
    public var encoded: [UInt8] {
        var w = ByteWriter()
        encode(to: &w)
        return w.bytes
    }
}

extension BinaryDecodable {
    /// Decodes a whole buffer; trailing bytes are an error so that one value has one encoding.
    public static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> Self {
        var r = ByteReader(bytes)
        let v = try Self(from: &r)
        try r.expectEnd()
        return v
    }
}
