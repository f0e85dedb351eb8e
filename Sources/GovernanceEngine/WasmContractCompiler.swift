import ContractRuntime
import GovernanceAPI

/// The compiler every client this package builds uses: WasmKit's, through `ContractCode.compile`.
public struct WasmContractCompiler: ContractCompiler {
    public init() {}
    public func compile(_ source: [UInt8]) throws -> [UInt8] { try ContractCode.compile(source) }
}
