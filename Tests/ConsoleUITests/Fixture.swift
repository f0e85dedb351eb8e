import ChainPrimitives
import ConsoleUI
import Crypto
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import Rollout
import Synchronization

/// A demo chain with fixed keys and a clock that moves only when told, so every screen repeats exactly.
final class FixedClock: Sendable {
    private let ms = Atomic<UInt64>(1_893_456_000_000)   // 2030-01-01 00:00:00 UTC
    var read: ChainClock { { self.ms.load(ordering: .relaxed) } }
    var now: UInt64 { ms.load(ordering: .relaxed) }
    func advance(_ d: UInt64) { ms.add(d, ordering: .relaxed) }
}

enum Fixture {
    static func key(_ name: String) -> SigningKey {
        SigningKey(rawBytes: Array(SHA256.hash(data: Data(("govconsole-test-" + name).utf8))))!
    }

    /// The demo consortium after a short, fixed history: an executed member proposal, an upgrade in
    /// pre-release, a proposal being voted on, and some contract calls.
    static func scenario() async throws -> (GovernanceClient, FixedClock) {
        let clock = FixedClock()
        let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-console-\(UUID().uuidString)")
        let engine = try await GovernanceClient.create(at: dir, consortium: try .demo(), clock: clock.read, keys: key)
        func step() { clock.advance(1000) }
        let frank = key("frank")
        _ = try await engine.propose(.addMember(name: "frank", role: .voter, weight: 1, publicKey: frank.publicKey), as: "ops")
        for v in ["alice", "bob", "carol"] { step(); _ = try await engine.vote(1, "approve", as: v) }
        step(); _ = try await engine.execute(1, as: "ops")
        step(); _ = try await engine.propose(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0), as: "ops")
        for v in ["alice", "bob", "dave", "erin"] { step(); _ = try await engine.vote(2, "approve", as: v) }
        step(); _ = try await engine.execute(2, as: "ops")
        step(); _ = try await engine.call("asset-ledger", "issue", args: ["500"], lane: .production, as: "alice")
        step(); _ = try await engine.call("asset-ledger", "transfer", args: ["bob", "20"], lane: .prerelease, as: "alice")
        step(); _ = try await engine.propose(.setPolicy(PolicyChange(quorum: Ratio(parsing: "0.6"))), as: "ops")
        step(); _ = try await engine.vote(3, "approve", as: "alice")
        step(); _ = try await engine.vote(3, "reject", as: "bob")
        step()
        return (engine, clock)
    }

    /// A console state as the runtime would have it after the scenario: all events received, a snapshot,
    /// and a few ticks of rate history.
    static func state(width: Int, height: Int, identity: String = "carol") async throws -> ConsoleState {
        let (engine, clock) = try await scenario()
        var s = ConsoleState(width: width, height: height, identity: identity, themes: ["default", "light", "high-contrast", "mono"])
        _ = update(&s, .events(try await engine.events(from: 0, limit: EventPage.maxEvents).events))
        _ = update(&s, .snapshot(try fixingTimes(try await ConsoleRuntime.snapshot(engine, identity: identity, selected: 3))))
        for _ in 0..<3 {
            _ = update(&s, .tick(now: clock.now))
            clock.advance(1000)
        }
        await engine.close()
        return s
    }

    /// The snapshot with measured processing times set to 123µs: they are wall-clock readings, and a
    /// reading of another number of digits would move everything after it on the line.
    static func fixingTimes(_ snapshot: ConsoleSnapshot) throws -> ConsoleSnapshot {
        let json = String(decoding: try JSONEncoder().encode(snapshot.routing), as: UTF8.self)
            .replacing(/"meanMicros":\d+/, with: #""meanMicros":123"#)
        var fixed = snapshot
        fixed.routing = try JSONDecoder().decode(RoutingView.self, from: Data(json.utf8))
        return fixed
    }

    static func screen(_ s: ConsoleState, ascii: Bool = false) -> String {
        var b = ScreenBuffer(width: s.width, height: s.height)
        render(s, into: &b, ascii: ascii)
        return b.text
    }
}
