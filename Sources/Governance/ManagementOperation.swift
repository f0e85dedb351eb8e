import ChainPrimitives
import Rollout

/// A management operation a proposal asks permission for. Each case names its target;
/// upgrades add cases here, and everything that switches over operations names them explicitly.
public enum ManagementOperation: Hashable, Sendable {
    case addMember(name: String, role: Role, weight: UInt64, publicKey: PublicKey)
    case removeMember(name: String)
    case setPolicy(PolicyChange)
    /// Claim 4: a new version of a target contract, deployed beside the old one. `code` is the Wasm binary.
    case deployContract(name: String, version: String, code: [UInt8])
    /// Claims 4–5: the next canary stage of a contract upgrade.
    case upgradeContract(name: String, to: String, stage: RolloutStage, percent: UInt8)
    case rollbackContract(name: String)
    /// Claims 6–7: the next canary stage of the nodes' transaction-processing logic.
    case upgradeNodes(to: String, stage: RolloutStage, percent: UInt8)
    case rollbackNodes

    /// The target of node-logic operations.
    public static let nodesTarget = "nodes"

    public var kind: OperationKind {
        switch self {
        case .addMember: .addMember
        case .removeMember: .removeMember
        case .setPolicy: .setPolicy
        case .deployContract: .deployContract
        case .upgradeContract: .upgradeContract
        case .rollbackContract: .rollbackContract
        case .upgradeNodes: .upgradeNodes
        case .rollbackNodes: .rollbackNodes
        }
    }

    public var target: String {
        switch self {
        case let .addMember(name, _, _, _): name
        case let .removeMember(name): name
        case .setPolicy: "policy"
        case let .deployContract(name, _, _), let .upgradeContract(name, _, _, _), let .rollbackContract(name): name
        case .upgradeNodes, .rollbackNodes: ManagementOperation.nodesTarget
        }
    }

    /// One line a person reads in a table or a feed.
    public var summary: String {
        switch self {
        case let .addMember(name, role, weight, _):
            role == .voter ? "add-member \(name) as voter weight \(weight)" : "add-member \(name) as \(role.rawValue)"
        case let .removeMember(name): "remove-member \(name)"
        case let .setPolicy(change): "set-policy \(change.summary)"
        case let .deployContract(name, version, code): "deploy-contract \(name) \(version) (\(code.count) bytes, \(Hash256.of(code).short))"
        case let .upgradeContract(name, to, stage, percent): "upgrade-contract \(name) to \(to): \(stage.rawValue)\(stage == .production ? " \(percent)%" : "")"
        case let .rollbackContract(name): "rollback-contract \(name)"
        case let .upgradeNodes(to, stage, percent): "upgrade-nodes to \(to): \(stage.rawValue)\(stage == .production ? " \(percent)%" : "")"
        case .rollbackNodes: "rollback-nodes"
        }
    }
}

public enum OperationKind: String, Sendable, CaseIterable, Codable {
    case addMember = "add-member"
    case removeMember = "remove-member"
    case setPolicy = "set-policy"
    case deployContract = "deploy-contract"
    case upgradeContract = "upgrade-contract"
    case rollbackContract = "rollback-contract"
    case upgradeNodes = "upgrade-nodes"
    case rollbackNodes = "rollback-nodes"
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
        case let .deployContract(name, version, code):
            w.u8(4); w.string(name); w.string(version); w.data(code)
        case let .upgradeContract(name, to, stage, percent):
            w.u8(5); w.string(name); w.string(to); w.u8(stage.tag); w.u8(percent)
        case let .rollbackContract(name):
            w.u8(6); w.string(name)
        case let .upgradeNodes(to, stage, percent):
            w.u8(7); w.string(to); w.u8(stage.tag); w.u8(percent)
        case .rollbackNodes:
            w.u8(8)
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
        case 4: self = .deployContract(name: try r.string(limit: Limits.maxNameBytes), version: try r.string(limit: Limits.maxNameBytes),
                                       code: try r.data(limit: Limits.maxCodeBytes))
        case 5: self = .upgradeContract(name: try r.string(limit: Limits.maxNameBytes), to: try r.string(limit: Limits.maxNameBytes),
                                        stage: try RolloutStage(tag: try r.u8()), percent: try r.u8())
        case 6: self = .rollbackContract(name: try r.string(limit: Limits.maxNameBytes))
        case 7: self = .upgradeNodes(to: try r.string(limit: Limits.maxNameBytes), stage: try RolloutStage(tag: try r.u8()), percent: try r.u8())
        case 8: self = .rollbackNodes
        case let t: throw DecodingFailure("unknown operation tag \(t)")
        }
    }
}
