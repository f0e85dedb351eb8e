import ChainPrimitives

/// A version of the transaction-processing logic a node runs (claim 6). The receipt names the version
/// that processed each transaction.
public protocol NodeLogic: Sendable {
    var version: String { get }
    /// Checks a node makes before it admits a contract call, beyond what every version checks;
    /// `encodedSize` is the whole transaction's.
    func admit(_ call: ContractCall, encodedSize: Int) throws(TransactionRejection)
}

/// The original logic: admits any well-formed call.
public struct NodeLogicV1: NodeLogic {
    public init() {}
    public var version: String { "v1" }
    public func admit(_ call: ContractCall, encodedSize: Int) throws(TransactionRejection) {}
}

/// Stricter admission: a contract call may carry at most 8 arguments of at most 64 bytes each, and no
/// control characters, so malformed traffic is refused at the door instead of failing inside a contract.
public struct NodeLogicV2: NodeLogic {
    public init() {}
    public var version: String { "v2" }
    public func admit(_ call: ContractCall, encodedSize: Int) throws(TransactionRejection) {
        guard call.args.count <= 8 else { throw .refusedByLogic(logic: version, reason: "a call may have at most 8 arguments") }
        for arg in call.args where arg.utf8.count > 64 || arg.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .refusedByLogic(logic: version, reason: "argument '\(arg.prefix(16))…' is longer than 64 bytes or has control characters")
        }
    }
}

extension NodeLogics {
    public static func named(_ version: String) -> (any NodeLogic)? {
        switch version {
        case "v1": NodeLogicV1()
        case "v2": NodeLogicV2()
        default: nil
        }
    }
}
