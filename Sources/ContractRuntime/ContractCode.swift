import ChainPrimitives

/// Turning contract source into the code the chain stores.
public enum ContractCode {
    /// WAT text or a Wasm binary, validated, as a Wasm binary; or the parser's message.
    public static func compile(_ source: [UInt8]) throws(GovernanceError) -> [UInt8] {
        try ContractRuntime.compile(source)
    }
}
