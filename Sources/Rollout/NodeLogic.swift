/// A node of the chain and the version of transaction-processing logic it runs.
public struct NodeRecord: Hashable, Sendable {
    public let name: String
    public internal(set) var logic: String
    public internal(set) var blocksProposed: UInt64 = 0
    public internal(set) var transactionsHandled: UInt64 = 0
    /// Injected failures, parts per million of the contract calls this node processes.
    public internal(set) var faultRate: UInt64 = 0

    public init(name: String, logic: String) {
        self.name = name
        self.logic = logic
    }
}

/// A version of the transaction-processing logic a node runs (claim 6). The receipt names the version
/// that processed each transaction.
public protocol NodeLogic: Sendable {
    var version: String { get }
    /// Checks a node makes before it admits a transaction, beyond what every version checks.
    func admit(_ tx: Transaction, encodedSize: Int) throws(TransactionRejection)
}

/// The original logic: admits any well-formed call.
public struct NodeLogicV1: NodeLogic {
    public init() {}
    public var version: String { "v1" }
    public func admit(_ tx: Transaction, encodedSize: Int) throws(TransactionRejection) {}
}

/// Stricter admission: a contract call may carry at most 8 arguments of at most 64 bytes each, and no
/// control characters, so malformed traffic is refused at the door instead of failing inside a contract.
public struct NodeLogicV2: NodeLogic {
    public init() {}
    public var version: String { "v2" }
    public func admit(_ tx: Transaction, encodedSize: Int) throws(TransactionRejection) {
        guard case let .call(call) = tx.payload else { return }
        guard call.args.count <= 8 else { throw .refusedByLogic(logic: version, reason: "a call may have at most 8 arguments") }
        for arg in call.args where arg.utf8.count > 64 || arg.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .refusedByLogic(logic: version, reason: "argument '\(arg.prefix(16))…' is longer than 64 bytes or has control characters")
        }
    }
}

public enum NodeLogics {
    public static func named(_ version: String) -> (any NodeLogic)? {
        switch version {
        case "v1": NodeLogicV1()
        case "v2": NodeLogicV2()
        default: nil
        }
    }

    public static let versions = ["v1", "v2"]
}
