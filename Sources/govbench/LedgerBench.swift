import ChainModel
import ChainPrimitives
import EmbeddedChain
import Foundation
import GovernanceAPI
import GovernanceEngine

/// Reopening after a crash: the longest tail of blocks a state snapshot can leave to replay.
///
/// A snapshot is written after the block that brings the blocks since the last one to
/// `Chain.snapshotEveryBlocks` or their transactions to `Chain.snapshotEveryTransactions`. So the most a
/// kill -9 can leave to replay is one transaction short of that, then one more block as large as a block
/// can be, killed after that block's fsync and before its snapshot is renamed into place. (Snapshots are
/// written on a thread of their own; a due one waits for the one being written, so blocks sealed during
/// a snapshot's own write can add to this: a few blocks on this ledger, not measured here.) This writes
/// exactly that tail through the engine, then puts back the snapshot the tail started from: the same
/// bytes on disk as that kill leaves (a torn snapshot staging file aside, which opening deletes
/// unread), without the timing of a real kill.
extension VoteBench {
    struct CrashTail {
        var transactions = 0
        var blocks = 0
        var seconds = 0.0
    }

    /// Times reopening the ledger the tail leaves. Runs after `coldStart`, which leaves the engine closed,
    /// and leaves it closed too.
    func crashReopen() async throws -> CrashTail {
        engine = try await GovernanceEngine.open(at: dir)
        let quick = scale.voters < 10_000
        // Quick runs replay a small tail: they prove the measurement works, not how long it takes.
        let first = quick ? 2 * scale.voters - 1 : Int(Chain.snapshotEveryTransactions) - 1
        let last = quick ? scale.voters : min(scale.voters, Limits.maxBlockTransactions)
        let proposals = (first + last + scale.voters - 1) / scale.voters
        let snapshotPath = Chain.snapshotFile(in: dir.ledger)
        let start = await engine.status().height
        guard let snapshot = FileManager.default.contents(atPath: snapshotPath) else { throw BenchError("no state snapshot at \(snapshotPath)") }

        progress.say("writing a crash tail of \(first) + \(last) transactions after height \(start)")
        try await writeTail(first: first, last: last, proposals: proposals, unchanged: snapshot, at: snapshotPath)
        let tail = try await tailShape(after: start)
        await engine.close()
        // The state a kill -9 leaves between the last block's fsync and its snapshot's rename.
        guard FileManager.default.createFile(atPath: snapshotPath, contents: snapshot) else { throw BenchError("cannot put back \(snapshotPath)") }

        if let copy = ProcessInfo.processInfo.environment["GOVBENCH_CRASH_COPY"] {
            // For profiling: `govconsole status --data COPY` opens the same crashed ledger, read-only.
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: dir.path, toPath: copy)
        }
        progress.say("reopening after a crash: replaying \(tail.transactions) transactions in \(tail.blocks) blocks")
        let started = ContinuousClock.now
        engine = try await GovernanceEngine.open(at: dir)
        var result = tail
        result.seconds = (ContinuousClock.now - started).seconds
        let reopened = await engine.status()
        await engine.close()
        guard reopened.height == start + UInt64(tail.blocks) else { throw BenchError("reopened at \(reopened.height), not at the tail's end") }
        return result
    }

    /// `first` votes (counting the proposals they are on), then `last` in one batch, the signed votes let
    /// go of before the reopen is measured; no snapshot may be written before the last batch.
    private func writeTail(first: Int, last: Int, proposals: Int, unchanged snapshot: Data, at snapshotPath: String) async throws {
        var votes: [Transaction] = []
        for id in try await propose(proposals, as: "ops2") { votes += await signVotes(on: id) }
        let body = Array(votes.prefix(first - proposals))
        let lastBlock = Array(votes.dropFirst(body.count).prefix(last))
        votes = []
        guard await submitAll(body) == body.count else { throw BenchError("votes of the crash tail were refused") }
        guard FileManager.default.contents(atPath: snapshotPath) == snapshot else {
            throw BenchError("a snapshot was written inside the crash tail; it is not the longest one")
        }
        let sealed = await engine.platform.submit(batch: lastBlock).count { (try? $0.get()) != nil }
        guard sealed == lastBlock.count else { throw BenchError("\(lastBlock.count - sealed) votes of the crash tail's last block were refused") }
    }

    /// How many blocks and transactions the tail after `start` has, checked to be one a crash can leave:
    /// every block before the last keeps it under both snapshot limits. Read a block at a time.
    private func tailShape(after start: UInt64) async throws -> CrashTail {
        let head = await engine.status().height
        var counts: [Int] = []
        for h in start + 1...max(start + 1, head) where h <= head {
            counts.append(try await engine.platform.block(at: h).transactions.count)
        }
        let beforeLast = counts.dropLast().reduce(0, +)
        guard counts.count <= Int(Chain.snapshotEveryBlocks), beforeLast < Int(Chain.snapshotEveryTransactions) else {
            throw BenchError("the crash tail (\(counts.count) blocks, \(beforeLast) transactions before its last) is longer than a snapshot leaves")
        }
        return CrashTail(transactions: counts.reduce(0, +), blocks: counts.count)
    }
}
