@testable import EmbeddedChain
import Foundation
import Testing

/// The periodic state snapshot is encoded and fsynced away from the chain's thread, so the blocks sealed
/// meanwhile do not wait for it; closing still leaves the newest state on disk.
@Suite struct SnapshotWriterTests {
    @Test func aDueSnapshotIsWrittenOffTheChainsThread() async throws {
        var t = try TestChain()
        let ledger = t.dir + "/ledger"
        let blocks = Int(Chain.snapshotEveryBlocks)
        let before = t.chain.ledgerThread.ioCounts
        for _ in 0..<blocks { try await t.call("alice", "issue", ["1"]) }
        // The snapshot of the interval's last block reaches the disk; progress, not a delay, ends the wait.
        let limit = ContinuousClock.now + .seconds(120)
        while (try? StateSnapshot.read(from: ledger)?.get())?.state.height != UInt64(blocks) {
            try #require(ContinuousClock.now < limit, "no snapshot at height \(blocks) appeared")
            try await Task.sleep(for: .milliseconds(5))
        }
        // One I/O for each block's append on the chain's thread, and none for the snapshot.
        let after = t.chain.ledgerThread.ioCounts
        #expect(after.onThread - before.onThread == blocks)
        #expect(after.offThread == before.offThread)

        try await t.call("alice", "issue", ["1"])
        await t.chain.close()
        #expect((try StateSnapshot.read(from: ledger)?.get())?.state.height == UInt64(blocks + 1), "closing writes the newest state")
        try t.reopen()
        #expect(await t.chain.state.height == UInt64(blocks + 1))
        await t.chain.close()
    }
}
