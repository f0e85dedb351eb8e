import ChainPrimitives

/// Where a consortium's order lives in etcd. Everything sits under the genesis hash, so consortia can
/// share one etcd cluster without touching each other's keys:
///
///     govconsole/<genesis>/log/<position>   one entry of the order: a block, as sealed (position 0: the genesis hash)
///     govconsole/<genesis>/engines/<node>   each running engine's presence, bound to a lease
///     govconsole/<genesis>/sealer           the engine that seals blocks and where it takes forwarded transactions, bound to its lease
struct OrderKeys: Sendable {
    let prefix: String

    init(genesis: Hash256) {
        prefix = "govconsole/\(genesis.hex)/"
    }

    var log: [UInt8] { Array((prefix + "log/").utf8) }
    var engines: [UInt8] { Array((prefix + "engines/").utf8) }
    var sealer: [UInt8] { Array((prefix + "sealer").utf8) }

    /// Fixed width, so etcd's key order is the order of positions.
    func entry(_ position: UInt64) -> [UInt8] {
        let digits = String(position)
        return Array((prefix + "log/" + String(repeating: "0", count: 20 - digits.count) + digits).utf8)
    }

    func engine(_ node: String) -> [UInt8] { Array((prefix + "engines/" + node).utf8) }

    /// The position a log key names, or nil for any other key (something written there by hand).
    func position(of key: [UInt8]) -> UInt64? {
        let log = self.log
        guard key.count == log.count + 20, key.starts(with: log) else { return nil }
        return UInt64(String(decoding: key[log.count...], as: UTF8.self))
    }
}
