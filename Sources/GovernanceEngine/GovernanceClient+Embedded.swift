import ChainPrimitives
import DurableStorage
import GovernanceAPI

// A client whose engine runs in this process: the API knows only the backend protocol, so the ways to
// make one, and to reach the engine behind it, live with the engine.
extension GovernanceClient {
    /// A client of an engine embedded in this process, signing with the data directory's keystore.
    public convenience init(embedded engine: GovernanceEngine) {
        self.init(backend: engine, keystore: Keystore(directory: engine.dataDirectory.keys), compiler: WasmContractCompiler())
    }

    /// Creates a consortium (see `GovernanceEngine.create`) and returns a client of its embedded engine.
    public static func create(at dir: DataDirectory, consortium: Consortium, force: Bool = false,
                              clock: @escaping ChainClock = WallClock.now,
                              keys: (String) -> SigningKey = { _ in SigningKey() }) async throws -> GovernanceClient {
        GovernanceClient(embedded: try await GovernanceEngine.create(at: dir, consortium: consortium, force: force, clock: clock, keys: keys))
    }

    /// Opens a consortium in this process (see `GovernanceEngine.open`).
    public static func open(at dir: DataDirectory, clock: @escaping ChainClock = WallClock.now) async throws -> GovernanceClient {
        GovernanceClient(embedded: try await GovernanceEngine.open(at: dir, clock: clock))
    }

    /// The engine, when it runs in this process.
    public var local: GovernanceEngine? { backend as? GovernanceEngine }
    /// Problems the chain repaired on open; worth showing once.
    public var warnings: [String] { local?.warnings ?? [] }
}
