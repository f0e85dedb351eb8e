import ChainModel
import ChainPrimitives
import ConsoleUI
import DurableStorage
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import ServicePlatform

/// Building and diffing full 200×60 console frames from a real engine's snapshot with 1,000 proposals,
/// while the feed takes 10,000 events a second (a thirtieth of that before each frame, at 30 fps).
enum FrameBench {
    static func run(scale: Scale, progress: Progress) async throws -> (median: Double, p99: Double) {
        let dir = DataDirectory(path: NSTemporaryDirectory() + "govbench-frames-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        progress.say("building a console snapshot with \(scale.frameProposals) proposals")
        let engine = try await GovernanceEngine.create(at: dir, consortium: try .demo())
        let state = await engine.chainState()
        let key = try Keystore(directory: dir.keys).load("ops")
        // Proposed and withdrawn in turn, so one admin can make any number; the last ten stay open.
        var txs: [Transaction] = []
        var nonce: UInt64 = 1
        for i in 1...scale.frameProposals {
            let op = ManagementOperation.setPolicy(PolicyChange(votingPeriod: 3_600_000 + UInt64(i) * 1000))
            txs.append(.signed(chain: state.genesisHash, sender: "ops", nonce: nonce, lane: .production, payload: .governance(.propose(op)), key: key))
            nonce += 1
            if i <= scale.frameProposals - 10 {
                txs.append(.signed(chain: state.genesisHash, sender: "ops", nonce: nonce, lane: .production,
                                   payload: .governance(.cancel(proposal: UInt64(i))), key: key))
                nonce += 1
            }
        }
        for chunk in stride(from: 0, to: txs.count, by: Limits.maxPendingPerSender) {
            for r in await engine.platform.submit(batch: Array(txs[chunk..<min(txs.count, chunk + Limits.maxPendingPerSender)])) { _ = try r.get() }
        }
        let client = GovernanceClient(embedded: engine)
        for voter in ["alice", "bob", "carol"] { _ = try await client.vote(UInt64(scale.frameProposals), "approve", as: voter) }
        let snapshot = try await ConsoleRuntime.snapshot(client, identity: "ops", selected: nil)
        let events = try await engine.events(proposal: UInt64(scale.frameProposals)) + (try await engine.events(proposal: 1))
        await engine.close()

        var console = ConsoleState(width: 200, height: 60, identity: "ops")
        _ = update(&console, .snapshot(snapshot))
        let backend = MemoryBackend(width: 200, height: 60, keepFrames: 1)
        let theme = Theme.fallback
        var previous: ScreenBuffer?
        var samples = Latencies()
        var next = 0
        let perFrame = 10_000 / 30
        progress.say("drawing \(scale.frames) frames at 200×60")
        for _ in 0..<scale.frames {
            var arriving: [EventView] = []
            arriving.reserveCapacity(perFrame)
            for _ in 0..<perFrame {
                arriving.append(events[next % events.count])
                next += 1
            }
            _ = update(&console, .events(arriving))
            let started = ContinuousClock.now
            var buffer = ScreenBuffer(width: 200, height: 60)
            render(console, into: &buffer)
            backend.draw(buffer, previous: previous, theme: theme)
            samples.record(ContinuousClock.now - started)
            previous = buffer
        }
        return (samples.percentile(50, in: .microseconds(1)), samples.percentile(99, in: .microseconds(1)))
    }
}
