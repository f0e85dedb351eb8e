/// Bounds on everything that input can grow. Each is generous for a consortium and small for an attacker.
public enum Limits {
    public static let maxNameBytes = 64
    public static let maxTransactionBytes = 256 * 1024
    public static let maxWeight: UInt64 = 1_000_000
    public static let maxMembers = 20_000
    public static let maxDuration: UInt64 = 366 * 24 * 3600 * 1000
    public static let minDuration: UInt64 = 1000
}

extension Limits {
    /// A contract's Wasm binary; it must fit in one transaction with room to spare.
    public static let maxCodeBytes = 192 * 1024
}

extension Limits {
    /// A contract instance's linear memory (256 pages) and table size.
    public static let maxContractMemoryBytes = 16 << 20
    public static let maxContractTableElements = 10_000
}

extension Limits {
    /// Transactions waiting for the next block, per sender and in all. A sender's own transactions
    /// must land in nonce order anyway, so a deep per-sender queue only buys memory for a flood.
    public static let maxPendingPerSender = 256
    public static let maxPendingTransactions = 100_000
}

extension Limits {
    /// Transactions per block: keeps a block's frame (and the memory to build it) a few megabytes.
    public static let maxBlockTransactions = 10_000
}
