import ChainPrimitives
import Testing

/// State maps are encoded in `String` order of their keys, which the state root and every ledger depend
/// on; the fast sort must give exactly that order.
@Suite struct KeyOrderTests {
    /// A small deterministic generator, so a failure names its seed.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ from: [T]) -> T { from[Int(next() % UInt64(from.count))] }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func asciiKeysSortAsStringsDo(seed: UInt64) {
        var rng = SplitMix(state: seed)
        // Names that share long prefixes and differ past byte 16, keys with NUL and upper case, the empty key.
        let alphabet = Array("abz09-_.AZ \u{0}~")
        let stems = ["", "voter-", "voter-0000000000", "organisation-node-", "a"]
        var keys = Set<String>()
        for _ in 0..<3_000 {
            let tail = String((0..<Int(rng.next() % 24)).map { _ in rng.pick(alphabet) })
            keys.insert(rng.pick(stems) + tail)
        }
        #expect(ByteWriter.ascending(keys) == keys.sorted(), "seed \(seed)")
    }

    @Test func keysBeyondASCIISortAsStringsDo() {
        // "é" precomposed and as "e" plus a combining accent are the same String; ordering must follow
        // String's rules, not the bytes.
        let keys: Set<String> = ["zoë", "zoe", "zo\u{65}\u{301}", "zoé", "ab", "Ab", "ä", "a\u{308}b", "b"]
        #expect(ByteWriter.ascending(keys) == keys.sorted())
    }
}
