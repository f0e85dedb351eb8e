@preconcurrency import Crypto

/// What an identity may do: admins propose and execute, voters vote with a weight, nodes sign blocks.
public enum Role: String, Sendable, CaseIterable, Codable {
    case admin, voter, node

    package var tag: UInt8 {
        switch self {
        case .admin: 0
        case .voter: 1
        case .node: 2
        }
    }

    package init(tag: UInt8) throws(DecodingFailure) {
        switch tag {
        case 0: self = .admin
        case 1: self = .voter
        case 2: self = .node
        default: throw DecodingFailure("unknown role tag \(tag)")
        }
    }
}

/// An Ed25519 public key, 32 bytes.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let b = [UInt8](hex: hex) else { return nil }
        self.init(bytes: b)
    }

    public var hex: String { bytes.hexString }
    public var description: String { hex }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// An Ed25519 signing key. Only the keystore and the block producer hold these.
public struct SigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init() { key = Curve25519.Signing.PrivateKey() }

    public init?(rawBytes: [UInt8]) {
        guard rawBytes.count == 32, let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawBytes) else { return nil }
        key = k
    }

    public var rawBytes: [UInt8] { Array(key.rawRepresentation) }
    public var publicKey: PublicKey { PublicKey(bytes: Array(key.publicKey.rawRepresentation))! }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Signing only fails on allocation failure in BoringSSL; there is nothing sensible to recover.
        Array(try! key.signature(for: message))
    }
}

/// A member of the consortium as the chain knows it.
public struct Member: Hashable, Sendable {
    public var name: String
    public var role: Role
    public var weight: UInt64
    public var publicKey: PublicKey

    public init(name: String, role: Role, weight: UInt64, publicKey: PublicKey) {
        self.name = name
        self.role = role
        self.weight = weight
        self.publicKey = publicKey
    }
}

extension Member: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name); w.u8(role.tag); w.u64(weight); w.raw(publicKey.bytes)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        name = try r.string(limit: Limits.maxNameBytes)
        role = try Role(tag: try r.u8())
        weight = try r.u64()
        publicKey = PublicKey(bytes: try r.raw(32))!
    }
}

/// Names are identifiers on the command line and on screen: short, lowercase, no spaces.
public enum Names {
    public static func validate(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= Limits.maxNameBytes else {
            return "a name must be 1 to \(Limits.maxNameBytes) characters"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard name.allSatisfy({ allowed.contains($0) }), name.first!.isLetter || name.first!.isNumber else {
            return "'\(name)' is not a valid name: use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
        }
        return nil
    }
}
