import ChainPrimitives
// The resource limiter is public but behind WasmKit's `Fuzzing` SPI in 0.4.x; without it a contract's
// `memory.grow` could allocate gigabytes within its fuel.
@_spi(Fuzzing) import WasmKit
import WAT

/// Runs target contracts: WebAssembly modules executed by WasmKit with fuel metering as gas.
///
/// The host API, imported from module `env` (pointers and lengths are i32 into the contract's exported
/// `memory`):
///
/// | import | meaning |
/// | --- | --- |
/// | `storage_get(key, key_len, out, out_cap) -> i32` | copies the value under key; its length, or -1 if absent |
/// | `storage_set(key, key_len, value, value_len)` | stores a value |
/// | `storage_get_i64(key, key_len) -> i64` | an 8-byte little-endian value, 0 if absent |
/// | `storage_set_i64(key, key_len, value: i64)` | stores an 8-byte little-endian value |
/// | `caller(out, out_cap) -> i32` | the sender's name; its length |
/// | `arg_count() -> i32` | how many arguments the call has |
/// | `arg(index, out, out_cap) -> i32` | copies argument `index`; its length, or -1 if there is none |
/// | `arg_i64(index) -> i64` | argument `index` as a decimal integer; traps if it is not one |
/// | `output(ptr, len)` | sets the call's result text |
/// | `emit(topic, topic_len, data, data_len)` | records a contract event in the receipt |
/// | `abort(msg, msg_len)` | fails the call with the message |
///
/// An exported function takes no parameters and returns nothing, an i32 or an i64 (its result).
/// Storage belongs to the contract's name, so every version of a contract shares it, as behind an
/// upgradeable proxy. A failed call's writes are discarded.
package final class ContractRuntime {
    package static let fuelPerCall: UInt64 = 10_000_000

    private let engine = Engine(configuration: EngineConfiguration(compilationMode: .eager, fuelMetering: true))
    private var modules: [Hash256: Module] = [:]

    package struct Outcome {
        package var ok: Bool
        package var result: String?
        package var error: String?
        package var fuel: UInt64
        package var writes: [[UInt8]: [UInt8]]
        package var events: [(topic: String, data: String)]

        package init(ok: Bool, result: String? = nil, error: String? = nil, fuel: UInt64, writes: [[UInt8]: [UInt8]],
                     events: [(topic: String, data: String)]) {
            self.ok = ok
            self.result = result
            self.error = error
            self.fuel = fuel
            self.writes = writes
            self.events = events
        }
    }

    package init() {}

    package static let wasmMagic: [UInt8] = [0x00, 0x61, 0x73, 0x6d]

    /// WAT text or a Wasm binary, checked, as the Wasm binary the chain stores; or the parser's message.
    package static func compile(_ source: [UInt8]) throws(GovernanceError) -> [UInt8] {
        guard !source.starts(with: wasmMagic) else { return try validate(source) }
        guard let text = String(validating: source, as: UTF8.self) else { throw .invalidCode("neither a Wasm binary nor UTF-8 WAT text") }
        let wasm: [UInt8]
        do { wasm = try wat2wasm(text) } catch { throw .invalidCode("\(error)") }
        return try validate(wasm)
    }

    /// Checks a Wasm binary as the chain will run it: size, parse, imports, every function body, and
    /// instantiation (start function included) under the fuel and memory limits. The management contract
    /// accepts only binaries, so what is stored is exactly what was checked.
    package static func validate(_ wasm: [UInt8]) throws(GovernanceError) -> [UInt8] {
        guard wasm.starts(with: wasmMagic) else {
            throw .invalidCode("the code is not a Wasm binary; compile WAT text first ('govconsole propose deploy-contract' does)")
        }
        guard wasm.count <= ChainPrimitives.Limits.maxCodeBytes else {
            throw .invalidCode("the module is \(wasm.count) bytes, over the \(ChainPrimitives.Limits.maxCodeBytes)-byte limit")
        }
        // Instantiating with the real imports under an eager engine validates every function body.
        let runtime = ContractRuntime()
        do {
            let module = try parseWasm(bytes: wasm)
            let store = Store(engine: runtime.engine)
            store.fuel = Fuel(remaining: fuelPerCall)
            store.resourceLimiter = ContractLimits.shared
            let context = CallContext(caller: "", args: [], storage: [:])
            _ = try module.instantiate(store: store, imports: runtime.imports(store: store, context: context))
        } catch let error as GovernanceError {
            throw error
        } catch {
            throw .invalidCode("\(error)")
        }
        return wasm
    }

    /// Names the module exports as functions, for checks before a call runs.
    package func exports(_ code: [UInt8], hash: Hash256) -> Set<String> {
        guard let module = try? module(code, hash: hash) else { return [] }
        return Set(module.exports.compactMap { if case .function = $0.descriptor { $0.name } else { nil } })
    }

    private func module(_ code: [UInt8], hash: Hash256) throws -> Module {
        if let m = modules[hash] { return m }
        let m = try parseWasm(bytes: code)
        modules[hash] = m
        return m
    }

    /// Runs `function` of the module with the given code against the contract's storage.
    package func call(code: [UInt8], hash: Hash256, function: String, args: [String], caller: String,
              storage: [[UInt8]: [UInt8]]) -> Outcome {
        let context = CallContext(caller: caller, args: args, storage: storage)
        let store = Store(engine: engine)
        store.fuel = Fuel(remaining: ContractRuntime.fuelPerCall)
        store.resourceLimiter = ContractLimits.shared
        func used() -> UInt64 { ContractRuntime.fuelPerCall - (store.fuel?.remaining ?? 0) }
        do {
            let instance = try module(code, hash: hash).instantiate(store: store, imports: imports(store: store, context: context))
            guard let entry = instance.exports[function: function] else {
                return Outcome(ok: false, error: "\(function) is not a function of this contract", fuel: used(), writes: [:], events: [])
            }
            guard entry.type.parameters.isEmpty else {
                return Outcome(ok: false, error: "\(function) takes parameters; contract entry points read arguments with arg()", fuel: used(), writes: [:], events: [])
            }
            let results = try entry.invoke([])
            var result = context.output.map { String(decoding: $0, as: UTF8.self) }
            switch results.first {
            case let .i64(v)?: result = String(Int64(bitPattern: v))
            case let .i32(v)?: result = String(Int32(bitPattern: v))
            default: break
            }
            return Outcome(ok: true, result: result, fuel: used(), writes: context.writes, events: context.events)
        } catch let abort as ContractAbort {
            return Outcome(ok: false, error: abort.message, fuel: used(), writes: [:], events: [])
        } catch {
            let text = "\(error)"
            let message = text.hasPrefix("Trap: ") ? String(text.dropFirst(6)) : text
            return Outcome(ok: false, error: message.split(separator: "\n").first.map(String.init) ?? message, fuel: used(), writes: [:], events: [])
        }
    }

    /// Fuel bounds a contract's time; this bounds its memory and tables, which fuel does not: a module
    /// declaring 4 GiB of memory would otherwise be allocated at deployment.
    final class ContractLimits: ResourceLimiter {
        static let shared = ContractLimits()
        func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= ChainPrimitives.Limits.maxContractMemoryBytes }
        func limitTableGrowth(to desired: Int) throws -> Bool { desired <= ChainPrimitives.Limits.maxContractTableElements }
    }

    // MARK: Host API

    private func imports(store: Store, context: CallContext) -> Imports {
        func memory(_ caller: borrowing WasmKit.Caller) throws -> Memory {
            guard let m = caller.instance?.exports[memory: "memory"] else { throw ContractAbort(message: "the contract exports no memory") }
            return m
        }
        func read(_ caller: borrowing WasmKit.Caller, _ ptr: Value, _ len: Value) throws -> [UInt8] {
            let m = try memory(caller)
            let (p, n) = (Int(ptr.i32), Int(len.i32))
            guard n <= 64 * 1024, p + n <= m.byteCount else { throw ContractAbort(message: "memory access out of bounds") }
            return m.withUnsafeBufferPointer(offset: UInt(p), count: n) { Array($0) }
        }
        func write(_ caller: borrowing WasmKit.Caller, _ bytes: [UInt8], _ ptr: Value, _ cap: Value) throws -> Value {
            let m = try memory(caller)
            let (p, c) = (Int(ptr.i32), Int(cap.i32))
            let n = min(bytes.count, c)
            guard p + n <= m.byteCount else { throw ContractAbort(message: "memory access out of bounds") }
            m.withUnsafeMutableBufferPointer(offset: UInt(p), count: n) { buffer in
                for i in 0..<n { buffer[i] = bytes[i] }
            }
            return .i32(UInt32(bytes.count))
        }
        let i32 = ValueType.i32, i64 = ValueType.i64
        var imports = Imports()
        func define(_ name: String, _ params: [ValueType], _ results: [ValueType], _ body: @escaping (borrowing WasmKit.Caller, [Value]) throws -> [Value]) {
            imports.define(module: "env", name: name, Function(store: store, parameters: params, results: results, body: body))
        }
        define("storage_get", [i32, i32, i32, i32], [i32]) { caller, a in
            guard let value = context.value(try read(caller, a[0], a[1])) else { return [.i32(UInt32(bitPattern: -1))] }
            return [try write(caller, value, a[2], a[3])]
        }
        define("storage_set", [i32, i32, i32, i32], []) { caller, a in
            try context.set(try read(caller, a[0], a[1]), try read(caller, a[2], a[3]))
            return []
        }
        define("storage_get_i64", [i32, i32], [i64]) { caller, a in
            let value = context.value(try read(caller, a[0], a[1])) ?? []
            guard value.isEmpty || value.count == 8 else { throw ContractAbort(message: "stored value is not 8 bytes") }
            return [.i64(value.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })]
        }
        define("storage_set_i64", [i32, i32, i64], []) { caller, a in
            try context.set(try read(caller, a[0], a[1]), (0..<8).map { UInt8(truncatingIfNeeded: a[2].i64 >> (8 * $0)) })
            return []
        }
        define("caller", [i32, i32], [i32]) { caller, a in [try write(caller, Array(context.caller.utf8), a[0], a[1])] }
        define("arg_count", [], [i32]) { _, _ in [.i32(UInt32(context.args.count))] }
        define("arg", [i32, i32, i32], [i32]) { caller, a in
            let i = Int(a[0].i32)
            guard i < context.args.count else { return [.i32(UInt32(bitPattern: -1))] }
            return [try write(caller, Array(context.args[i].utf8), a[1], a[2])]
        }
        define("arg_i64", [i32], [i64]) { _, a in
            let i = Int(a[0].i32)
            guard i < context.args.count else { throw ContractAbort(message: "argument \(i + 1) is missing") }
            guard let v = Int64(context.args[i]) else { throw ContractAbort(message: "argument \(i + 1) '\(context.args[i])' is not a whole number") }
            return [.i64(UInt64(bitPattern: v))]
        }
        define("output", [i32, i32], []) { caller, a in
            context.output = try read(caller, a[0], a[1])
            return []
        }
        define("emit", [i32, i32, i32, i32], []) { caller, a in
            guard context.events.count < 64 else { throw ContractAbort(message: "too many events in one call") }
            context.events.append((String(decoding: try read(caller, a[0], a[1]), as: UTF8.self),
                                   String(decoding: try read(caller, a[2], a[3]), as: UTF8.self)))
            return []
        }
        define("abort", [i32, i32], []) { caller, a in
            throw ContractAbort(message: String(decoding: try read(caller, a[0], a[1]), as: UTF8.self))
        }
        return imports
    }
}

/// A contract's own refusal, with its message.
struct ContractAbort: Error {
    let message: String
}

/// The state one call sees and changes: storage reads fall through to the committed storage, writes stay
/// here until the call succeeds.
private final class CallContext {
    let caller: String
    let args: [String]
    let storage: [[UInt8]: [UInt8]]
    var writes: [[UInt8]: [UInt8]] = [:]
    var output: [UInt8]?
    var events: [(topic: String, data: String)] = []

    init(caller: String, args: [String], storage: [[UInt8]: [UInt8]]) {
        self.caller = caller
        self.args = args
        self.storage = storage
    }

    func value(_ key: [UInt8]) -> [UInt8]? { writes[key] ?? storage[key] }

    func set(_ key: [UInt8], _ value: [UInt8]) throws {
        guard key.count <= 256, value.count <= 4096 else { throw ContractAbort(message: "storage key or value too large") }
        guard writes.count < 1024 else { throw ContractAbort(message: "too many storage writes in one call") }
        writes[key] = value
    }
}
