@testable import ChainModel
@testable import ChainPrimitives
@testable import ContractRuntime
@testable import EmbeddedChain
import Foundation
@testable import Governance
@testable import Rollout
import Testing
import WAT

/// Mutation fuzzing of everything that reads bytes from outside: the transaction decoder, the block
/// decoder and the contract deploy path. Inputs are valid encodings, mutated (bit flips, byte
/// overwrites, insertions, deletions, truncations, duplicated runs, boundary length fields, splices)
/// or random. The properties: nothing crashes or hangs; every input either decodes to a value that
/// re-encodes to exactly the same bytes or is refused with a decoding error; deployable code is
/// exactly the code that was checked.
///
/// `GOVCONSOLE_FUZZ_INPUTS` sets the inputs per target (default 100,000; the long mode is 10,000,000)
/// and `GOVCONSOLE_FUZZ_SEED` repeats a run.
@Suite("Fuzzing")
struct FuzzTests {
    static let env = ProcessInfo.processInfo.environment
    static let inputs = env["GOVCONSOLE_FUZZ_INPUTS"].flatMap(Int.init) ?? 100_000
    static let seed = env["GOVCONSOLE_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))

    @Test("transaction decoder: decode then re-encode is the identity, or a decoding error")
    func transactions() async throws {
        let corpus = try Self.transactionCorpus()
        let result = await Self.fuzz(corpus, inputs: Self.inputs, seed: Self.seed) { bytes in
            do { return try Transaction.decode(bytes).encoded == bytes ? .decoded : .mismatch } catch { return .refused }
        }
        result.report("transactions")
        #expect(result.mismatches.isEmpty, "re-encoding differs (seed \(Self.seed)): \(result.mismatches.prefix(3).map(\.hexString))")
        #expect(result.decoded > 0 && result.refused > 0, "the fuzzer must reach both outcomes: \(result)")
    }

    @Test("block decoder: decode then re-encode is the identity, or a decoding error")
    func blocks() async throws {
        let corpus = try await Self.blockCorpus()
        let result = await Self.fuzz(corpus, inputs: Self.inputs, seed: Self.seed &+ 1) { bytes in
            do { return try Block.decode(bytes).encoded == bytes ? .decoded : .mismatch } catch { return .refused }
        }
        result.report("blocks")
        #expect(result.mismatches.isEmpty, "re-encoding differs (seed \(Self.seed)): \(result.mismatches.prefix(3).map(\.hexString))")
        #expect(result.decoded > 0 && result.refused > 0, "the fuzzer must reach both outcomes: \(result)")
    }

    @Test("deploy path: mutated Wasm is validated or refused, and what validates runs within its fuel")
    func deployPath() async throws {
        let corpus = try Self.wasmCorpus()
        let runtime = ContractRuntime()
        let t = try TestChain()
        let state = await t.chain.state
        await t.chain.close()
        let result = await Self.fuzz(corpus, inputs: Self.inputs, seed: Self.seed &+ 2) { bytes in
            // The management contract's own check of a deploy-contract proposal, against a real state.
            do {
                try ManagementContract.check(.deployContract(name: "fuzzed", version: "v1", code: bytes), against: state.management, fleet: state.nodes,
                                             codeCheck: StateTransition.checkCode)
            } catch { return .refused }
            // Code that validates can be called: every exported function runs or fails within its fuel.
            let hash = Hash256.of(bytes)
            for function in runtime.exports(bytes, hash: hash).sorted().prefix(4) {
                let outcome = runtime.call(code: bytes, hash: hash, function: function, args: ["bob", "5"], caller: "alice", storage: [:])
                guard outcome.fuel <= ContractRuntime.fuelPerCall else { return .mismatch }
            }
            return .decoded
        }
        result.report("deploy")
        #expect(result.mismatches.isEmpty, "(seed \(Self.seed)): \(result.mismatches.prefix(3).map(\.hexString))")
        #expect(result.decoded > 0 && result.refused > 0, "the fuzzer must reach both outcomes: \(result)")
    }

    @Test("state decoder (snapshots): decode then re-encode is the identity, or a decoding error")
    func states() async throws {
        let corpus = try await Self.stateCorpus()
        let result = await Self.fuzz(corpus, inputs: Self.inputs, seed: Self.seed &+ 3) { bytes in
            do { return try ChainState.decode(bytes).encoded == bytes ? .decoded : .mismatch } catch { return .refused }
        }
        result.report("states")
        #expect(result.mismatches.isEmpty, "re-encoding differs (seed \(Self.seed)): \(result.mismatches.count)")
        #expect(result.refused > 0, "the fuzzer must reach refusals: \(result)")
    }

    @Test("a module declaring more memory than a contract may have is refused at deployment")
    func hugeMemoryRefused() throws {
        let wasm = try wat2wasm("(module (memory (export \"memory\") 65536))")
        #expect(throws: GovernanceError.self) { try ContractRuntime.validate(wasm) }
        let text = Array("(module (memory (export \"memory\") 1))".utf8)
        // On chain only binaries are accepted: what is stored must be what was checked.
        #expect(throws: GovernanceError.self) { try ContractRuntime.validate(text) }
        #expect(try ContractRuntime.validate(try ContractCode.compile(text)).starts(with: ContractRuntime.wasmMagic))
    }

    // MARK: The fuzzer

    enum Outcome { case decoded, refused, mismatch }

    struct Result: CustomStringConvertible {
        /// Outcomes of mutated inputs only: the unmutated corpus always decodes.
        var decoded = 0
        var refused = 0
        var mismatches: [[UInt8]] = []
        var slowest: Duration = .zero

        var description: String { "\(decoded) decoded, \(refused) refused, \(mismatches.count) mismatched, slowest \(slowest)" }

        func report(_ target: String) {
            // The slowest input is reported, not asserted: how long an input takes says how fast the machine
            // is. Fuel bounds every call (ContractTests holds that), so a hang cannot pass unnoticed.
            print("fuzz \(target): \(FuzzTests.inputs) inputs (seed \(FuzzTests.seed)): \(self)")
        }
    }

    /// Yields every few inputs: a hundred thousand inputs take minutes of a debug build, and a test that
    /// held its thread that long would hold one of the only two threads Swift's pool has on a two-core
    /// machine, starving every other test's timers and leases.
    static func fuzz(_ corpus: [[UInt8]], inputs: Int, seed: UInt64, _ property: ([UInt8]) -> Outcome) async -> Result {
        var rng = Mutator(seed: seed)
        var result = Result()
        let clock = ContinuousClock()
        for i in 0..<inputs {
            if i % 64 == 63 { await Task.yield() }
            // Every corpus entry is tried as it is once, then mutated.
            let input = i < corpus.count ? corpus[i] : rng.mutate(corpus[Int(rng.next() % UInt64(corpus.count))], corpus: corpus)
            var outcome = Outcome.refused
            let took = clock.measure { outcome = property(input) }
            result.slowest = max(result.slowest, took)
            switch outcome {
            case .decoded: if i >= corpus.count { result.decoded += 1 }
            case .refused: if i >= corpus.count { result.refused += 1 }
            case .mismatch: if result.mismatches.count < 10 { result.mismatches.append(input) }
            }
        }
        return result
    }

    struct Mutator {
        var random: SplitMix64
        init(seed: UInt64) { random = SplitMix64(seed: seed) }

        mutating func next() -> UInt64 { random.next() }

        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

        /// Lengths and counts that decoders get wrong: zero, one, sign and width boundaries, the maximum.
        static let boundaries: [UInt32] = [0, 1, 2, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000,
                                           0x3_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]

        mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
            if below(40) == 0 { return (0..<below(300)).map { _ in byte() } }
            var b = input
            for _ in 0...below(4) {
                switch below(9) {
                case 0 where !b.isEmpty:
                    let i = below(b.count)
                    b[i] ^= 1 << UInt8(below(8))
                case 1 where !b.isEmpty:
                    b[below(b.count)] = byte()
                case 2:
                    b.insert(contentsOf: (0...below(8)).map { _ in byte() }, at: below(b.count + 1))
                case 3 where !b.isEmpty:
                    let i = below(b.count)
                    b.removeSubrange(i..<min(b.count, i + 1 + below(16)))
                case 4:
                    b = Array(b.prefix(below(b.count + 1)))
                case 5 where b.count > 1:
                    let i = below(b.count)
                    let run = b[i..<min(b.count, i + 1 + below(32))]
                    b.insert(contentsOf: run, at: below(b.count + 1))
                case 6 where b.count >= 4:
                    // A length or count field set to a boundary, or to one either side of what remains.
                    let i = below(b.count - 3)
                    let left = b.count - i - 4
                    let choices = Self.boundaries + [left - 1, left, left + 1].map { UInt32(clamping: $0) }
                    let v = choices[below(choices.count)]
                    b.replaceSubrange(i..<i + 4, with: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)])
                case 7:
                    // Splice: the front of this input onto the back of another.
                    let other = corpus[below(corpus.count)]
                    b = Array(b.prefix(below(b.count + 1))) + other.suffix(below(other.count + 1))
                default:
                    if !b.isEmpty { b[below(b.count)] = [0, 1, 2, 4, 0x7F, 0x80, 0xFF][below(7)] }
                }
            }
            return b
        }
    }

    // MARK: Corpora: valid encodings of every kind

    static func transactionCorpus() throws -> [[UInt8]] {
        let key = SigningKey()
        let chain = Hash256.of(Array("fuzz".utf8))
        let code = try ContractCode.compile(Array("(module (memory (export \"memory\") 1) (func (export \"f\")))".utf8))
        let ops: [ManagementOperation] = [
            .addMember(name: "frank", role: .voter, weight: 3, publicKey: key.publicKey),
            .addMember(name: "node-9", role: .node, weight: 0, publicKey: key.publicKey),
            .removeMember(name: "bob"),
            .setPolicy(PolicyChange(quorum: Ratio(ppm: 500_000), votingPeriod: 60_000, gateMinCalls: 20)),
            .deployContract(name: "asset-ledger", version: "v3", code: code),
            .upgradeContract(name: "asset-ledger", to: "v2", stage: .gray, percent: 0),
            .upgradeContract(name: "asset-ledger", to: "v2", stage: .production, percent: 50),
            .rollbackContract(name: "asset-ledger"),
            .upgradeNodes(to: "v2", stage: .prerelease, percent: 0),
            .rollbackNodes,
        ]
        var payloads: [Payload] = ops.map { .governance(.propose($0)) }
        payloads += [
            .governance(.vote(proposal: 1, request: 7, choice: .approve)),
            .governance(.vote(proposal: UInt64.max, request: 0, choice: .abstain)),
            .governance(.execute(proposal: 3)),
            .governance(.cancel(proposal: 2)),
            .call(ContractCall(contract: "asset-ledger", function: "transfer", args: ["bob", "10"])),
            .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])),
            .setNodeLogic(node: "node-2", logic: "v2", faultRate: 250_000),
        ]
        return payloads.enumerated().map { i, payload in
            Transaction.signed(chain: chain, sender: ["ops", "alice", "node-2"][i % 3], nonce: UInt64(i + 1),
                               lane: Lane.allCases[i % Lane.allCases.count], payload: payload, key: key).encoded
        }
    }

    static func blockCorpus() async throws -> [[UInt8]] {
        let t = try TestChain()
        try await t.call("alice", "issue", ["100"])
        try await t.call("alice", "transfer", ["bob", "7"], lane: .gray)
        try await t.call("bob", "nonexistent")
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        try await t.vote("alice", 1, .approve)
        try await t.vote("bob", 1, .reject)
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0))
        // Enough time for the first proposal's vote to close at a block boundary.
        t.clock.advance(Policy.default.votingPeriod + 1)
        _ = try await t.chain.sealIfDue()
        let blocks = try await t.chain.blocks()
        await t.chain.close()
        return blocks.map(\.encoded)
    }

    /// States along a short history: members, proposals, votes, permissions, routing and storage.
    static func stateCorpus() async throws -> [[UInt8]] {
        let t = try TestChain()
        var out = [await t.chain.state.encoded]
        try await t.call("alice", "issue", ["100"])
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0))
        out.append(await t.chain.state.encoded)
        try await t.call("alice", "transfer", ["bob", "7"], lane: .prerelease)
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        try await t.vote("bob", 2, .reject)
        out.append(await t.chain.state.encoded)
        await t.chain.close()
        return out
    }

    static func wasmCorpus() throws -> [[UInt8]] {
        let sources = try DemoContracts.assetLedger().map(\.source) + [
            "(module (memory (export \"memory\") 1) (func (export \"f\") (result i32) i32.const 7))",
            "(module (memory 1) (global $g (mut i32) (i32.const 3)) (start $s) (func $s (loop $l global.get $g i32.const 1 i32.sub global.set $g global.get $g br_if $l)))",
            "(module (memory (export \"memory\") 1 2) (func (export \"grow\") (result i32) i32.const 1 memory.grow))",
            "(module (table 4 funcref) (func (export \"t\") (result i32) i32.const 0 call_indirect (result i32)))",
            "(module (import \"env\" \"output\" (func $out (param i32 i32))) (memory (export \"memory\") 1) (data (i32.const 0) \"hi\") (func (export \"o\") i32.const 0 i32.const 2 call $out))",
        ]
        return try sources.map { try ContractCode.compile(Array($0.utf8)) }
    }
}
