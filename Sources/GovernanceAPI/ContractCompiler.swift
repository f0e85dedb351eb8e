/// Turns a contract's source (WAT text or Wasm bytes) into the Wasm binary a deployment carries. The API names the job only:
/// the Wasm toolchain lives in ContractRuntime, which a terminal talking to a service need not link.
public protocol ContractCompiler: Sendable {
    func compile(_ source: [UInt8]) throws -> [UInt8]
}
