/// A management operation a proposal asks permission for. Each case names its target;
/// upgrades add cases here, and everything that switches over operations names them explicitly.
public enum ManagementOperation: Hashable, Sendable {
    case addMember(name: String, role: Role, weight: UInt64, publicKey: PublicKey)
    case removeMember(name: String)
    case setPolicy(PolicyChange)

    public var kind: OperationKind {
        switch self {
        case .addMember: .addMember
        case .removeMember: .removeMember
        case .setPolicy: .setPolicy
        }
    }

    public var target: String {
        switch self {
        case let .addMember(name, _, _, _): name
        case let .removeMember(name): name
        case .setPolicy: "policy"
        }
    }

    /// One line a person reads in a table or a feed.
    public var summary: String {
        switch self {
        case let .addMember(name, role, weight, _):
            role == .voter ? "add-member \(name) as voter weight \(weight)" : "add-member \(name) as \(role.rawValue)"
        case let .removeMember(name): "remove-member \(name)"
        case let .setPolicy(change): "set-policy \(change.summary)"
        }
    }
}

public enum OperationKind: String, Sendable, CaseIterable, Codable {
    case addMember = "add-member"
    case removeMember = "remove-member"
    case setPolicy = "set-policy"
}

extension ManagementOperation: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        switch self {
        case let .addMember(name, role, weight, key):
            w.u8(1); w.string(name); w.u8(role.tag); w.u64(weight); w.raw(key.bytes)
        case let .removeMember(name):
            w.u8(2); w.string(name)
        case let .setPolicy(change):
            w.u8(3); w.encode(change)
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        switch try r.u8() {
        case 1:
            let name = try r.string(limit: Limits.maxNameBytes)
            let role = try Role(tag: try r.u8())
            let weight = try r.u64()
            self = .addMember(name: name, role: role, weight: weight, publicKey: PublicKey(bytes: try r.raw(32))!)
        case 2: self = .removeMember(name: try r.string(limit: Limits.maxNameBytes))
        case 3: self = .setPolicy(try r.decode())
        case let t: throw DecodingFailure("unknown operation tag \(t)")
        }
    }
}
