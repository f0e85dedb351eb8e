import ChainModel
import ChainPrimitives
import ConsoleUI
import DurableStorage
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import ServicePlatform

/// One console frame as the console loop makes it, at 200×60, with 1,000 proposals in the list, the
/// selected one asking 10,000 voters, and events arriving at 10,000 a second: each frame takes in a
/// thirtieth of that (333 events, a full feed), a fresh snapshot, renders into a new screen buffer and
/// diffs it against the previous frame. The figure is all of that: `update` of the events and the
/// snapshot, `render`, and the diff; not the terminal writes, nor fetching the snapshot (another task).
enum FrameBench {
    static let voters = 10_000

    static func run(scale: Scale, progress: Progress) async throws -> (median: Double, p99: Double, voters: Int) {
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

        let perFrame = 10_000 / 30
        let selected = UInt64(scale.frameProposals)
        let electorate = try FrameElectorate(growing: try await engine.proposal(selected), admins: snapshot.members.filter { $0.role == "admin" },
                                             voters: voters, others: (selected - 9..<selected).map { $0 }, perFrame: perFrame, pool: 30)
        await engine.close()

        var console = ConsoleState(width: 200, height: 60, identity: electorate.identity)
        _ = update(&console, .snapshot(electorate.snapshot(snapshot)))
        _ = update(&console, .tick(now: UInt64(Date().timeIntervalSince1970 * 1000)))   // the header's clock shows
        _ = update(&console, .events(events))
        _ = update(&console, .events(Array(electorate.arrivals.prefix(ConsoleState.feedLimit))))
        let backend = MemoryBackend(width: 200, height: 60, keepFrames: 1)
        let theme = Theme.fallback
        var previous: ScreenBuffer?
        var samples = Latencies()
        var next = 0
        progress.say("drawing \(scale.frames) frames at 200×60 of a \(voters)-voter proposal, feed at 10,000 events/s")
        for _ in 0..<scale.frames {
            if next + perFrame > electorate.arrivals.count { next = 0 }
            let arriving = Array(electorate.arrivals[next..<next + perFrame])
            next += perFrame
            let fetched = electorate.snapshot(snapshot)
            let started = ContinuousClock.now
            _ = updateFreeingOffLoop(&console, .snapshot(fetched))
            _ = update(&console, .events(arriving))
            var buffer = ScreenBuffer(width: 200, height: 60)
            render(console, into: &buffer)
            backend.draw(buffer, previous: previous, theme: theme)
            samples.record(ContinuousClock.now - started)
            previous = buffer
        }
        return (samples.percentile(50, in: .microseconds(1)), samples.percentile(99, in: .microseconds(1)), voters)
    }
}
