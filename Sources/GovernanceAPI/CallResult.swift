import ChainModel
import ChainPrimitives

/// What a contract call did, as its durable receipt tells it.
public struct CallResult: Codable, Sendable {
    public let tx: String
    public let ok: Bool
    public let contract: String
    public let function: String
    public let version: String
    public let node: String
    public let logic: String
    public let fuel: UInt64
    public let result: String?
    public let error: String?

    package init(_ tx: Transaction, _ r: Receipt) {
        self.tx = tx.id.hex
        ok = r.ok
        contract = r.call?.contract ?? ""
        function = r.call?.function ?? ""
        version = r.call?.version ?? ""
        node = r.node
        logic = r.logic
        fuel = r.call?.fuel ?? 0
        result = r.call?.result
        error = r.error
    }
}
