import ChainPrimitives

/// Who sent the transaction the contract is running, as the chain verified it.
public struct Caller: Sendable {
    public let name: String
    public let role: Role
    public let key: PublicKey

    package init(name: String, role: Role, key: PublicKey) {
        self.name = name
        self.role = role
        self.key = key
    }
}

/// Checks contract code as the chain will run it, or says why not: the contract runtime's validation,
/// handed in so the keeper stays pure and never links a Wasm engine.
public typealias CodeCheck = ([UInt8]) throws(GovernanceError) -> Void

/// The block the contract is running in.
public struct BlockContext: Sendable {
    public let height: UInt64
    public let time: UInt64
    /// The node that seals the block, where it is known (sealing and replay; not a dry run).
    public let proposer: String?

    package init(height: UInt64, time: UInt64, proposer: String? = nil) {
        self.height = height
        self.time = time
        self.proposer = proposer
    }
}
