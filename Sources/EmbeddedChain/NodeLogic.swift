/// A node of the chain and the version of transaction-processing logic it runs.
public struct NodeRecord: Hashable, Sendable {
    public let name: String
    public internal(set) var logic: String
    public internal(set) var blocksProposed: UInt64 = 0
    public internal(set) var transactionsHandled: UInt64 = 0

    public init(name: String, logic: String) {
        self.name = name
        self.logic = logic
    }
}

/// A version of the transaction-processing logic a node runs. The receipt names the version that
/// processed each transaction.
public protocol NodeLogic: Sendable {
    var version: String { get }
    /// Checks a node makes before it admits a transaction, beyond what every version checks.
    func admit(_ tx: Transaction, encodedSize: Int) throws(TransactionRejection)
}

public struct NodeLogicV1: NodeLogic {
    public init() {}
    public var version: String { "v1" }
    public func admit(_ tx: Transaction, encodedSize: Int) throws(TransactionRejection) {}
}

public enum NodeLogics {
    public static func named(_ version: String) -> (any NodeLogic)? {
        switch version {
        case "v1": NodeLogicV1()
        default: nil
        }
    }

    public static let versions = ["v1"]
}
