@testable import ChainModel
@testable import ChainPrimitives
@testable import DurableStorage
@testable import EmbeddedChain
import Foundation
@testable import Governance
import Synchronization
import Testing

/// The chain runs on a thread of its own: its file work never holds a cooperative thread, callers that
/// arrive while a block is being written share the next block, and readers of the committed state never
/// wait for that thread.
@Suite struct LedgerThreadTests {
    /// Holds the chain's thread just before it writes a block, as a slow fsync would, until released.
    final class AppendGate: Sendable {
        let reached: AsyncStream<UInt64>
        private let reachedContinuation: AsyncStream<UInt64>.Continuation
        private let gate = DispatchSemaphore(value: 0)
        private let holds = Atomic<Int>(0)

        init() { (reached, reachedContinuation) = AsyncStream<UInt64>.makeStream() }

        /// The hook: holds only the first block written after it is installed.
        var hook: @Sendable (UInt64) -> Void {
            { height in
                guard self.holds.add(1, ordering: .relaxed).newValue == 1 else { return }
                self.reachedContinuation.yield(height)
                self.gate.wait()
            }
        }

        func release() { gate.signal() }
    }

    final class Counter: Sendable {
        private let n = Atomic<Int>(0)
        func add() { n.add(1, ordering: .relaxed) }
        var value: Int { n.load(ordering: .relaxed) }
    }

    func balance(_ t: TestChain, _ sender: String, nonce: UInt64 = 1) -> Transaction {
        Transaction.signed(chain: t.chain.genesisHash, sender: sender, nonce: nonce, lane: .production,
                           payload: .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])), key: t.keys[sender]!)
    }

    @Test func theCommittedStateIsTheLastDurableBlockNeverOneBeingWritten() async throws {
        let t = try TestChain()
        let gate = AppendGate()
        // A failed expectation must not leave the chain's thread held: the process could not end.
        defer { gate.release() }
        await t.chain.setWillAppend(gate.hook)
        let proposal = Task { try await t.send("ops", .propose(.newVoter("frank"))) }
        var reached = gate.reached.makeAsyncIterator()
        #expect(await reached.next() == 1)
        // Block 1 is applied but not yet written, and the chain's thread is held: the committed state is
        // still genesis, and reading it does not wait for that thread.
        let during = t.chain.committed
        #expect(during.height == 0 && during.nextNonce(of: "ops") == 1 && during.management.proposals.isEmpty)
        gate.release()
        _ = try await proposal.value
        let after = t.chain.committed
        #expect(after.height == 1 && after.nextNonce(of: "ops") == 2 && after.management.proposals.count == 1)
        // After each block it is the chain's state, exactly.
        for voter in ["alice", "bob"] {
            try await t.vote(voter, 1, .approve)
            let committed = t.chain.committed
            let state = await t.chain.state
            #expect(committed.height == state.height && committed.head == state.head && committed.root == state.root)
        }
        await t.chain.close()
    }

    @Test func callersArrivingWhileABlockIsWrittenShareTheNextBlock() async throws {
        let t = try TestChain()
        let gate = AppendGate()
        // A failed expectation must not leave the chain's thread held: the process could not end.
        defer { gate.release() }
        await t.chain.setWillAppend(gate.hook)
        let first = Task { try await t.submit(balance(t, "ops")) }
        var reached = gate.reached.makeAsyncIterator()
        #expect(await reached.next() == 1)
        // Each sender submits on its own while block 1 is held; they queue on the chain's thread.
        let senders = ["alice", "bob", "carol", "dave", "erin"]
        let rest = senders.map { sender in Task { try await t.submit(balance(t, sender)) } }
        while t.chain.ledgerThread.queued < senders.count { try await Task.sleep(for: .milliseconds(5)) }
        gate.release()
        _ = try await first.value
        for task in rest { #expect(try await task.value.ok) }
        let blocks = try await t.chain.blocks()
        #expect(blocks.count == 3, "one block for the held transaction, one for all that arrived meanwhile")
        #expect(Set(blocks[2].transactions.map(\.sender)) == Set(senders))
        await t.chain.close()
    }

    /// An operator looking at `top -H` or a profile finds the chain's thread by its name.
    @Test func theChainsThreadCarriesItsNameToTheKernel() async throws {
        let thread = LedgerThread()
        defer { thread.stop() }
        let named = try await thread.perform { try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) }
        #expect(named == "gov-ledger\n")
        let long = LedgerThread(name: "a-name-longer-than-fifteen-bytes")
        defer { long.stop() }
        #expect(try await long.perform { try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) } == "a-name-longer-t\n")
    }

    @Test func ledgerFileWorkRunsOnTheChainsThreadOnly() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        _ = try await t.chain.blocks()
        await t.chain.close()
        // Two appends, three reads, the snapshot on close.
        #expect(t.chain.ledgerThread.ioCounts == (onThread: 6, offThread: 0))
        #expect(!t.chain.ledgerThread.isCurrent)

        // `opened` reads and replays the ledger on the new chain's thread; `open` on its caller's.
        t.chain = try await Chain.opened(at: t.dir + "/ledger", keystore: t.keystore, clock: t.clock.read)
        #expect(await t.chain.state.height == 2)
        #expect(t.chain.ledgerThread.ioCounts == (onThread: 1, offThread: 0))
        await t.chain.close()
        try t.reopen()
        #expect(t.chain.ledgerThread.ioCounts == (onThread: 0, offThread: 1))
        await t.chain.close()
    }

    /// Openers waiting for a lock another holder keeps hold no thread: more of them than the machine
    /// has cores wait while a chain elsewhere keeps committing.
    @Test func openersWaitingForTheLockHoldNoThread() async throws {
        var t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        await t.chain.close()
        let ledger = t.dir + "/ledger"
        let holder = try DirectoryLock(directory: ledger)
        let finished = Counter()
        let (keystore, clock) = (t.keystore, t.clock.read)
        let waiters = (0..<ProcessInfo.processInfo.activeProcessorCount * 2 + 2).map { _ in
            Task {
                defer { finished.add() }
                return try await Chain.opened(at: ledger, keystore: keystore, clock: clock, lockWait: 600_000)
            }
        }
        let other = try TestChain()
        try await other.send("ops", .propose(.newVoter("gina")))
        #expect(await other.chain.state.height == 1)
        #expect(finished.value == 0, "an opener stopped waiting while the lock was held")
        for w in waiters { w.cancel() }
        for w in waiters {
            await #expect(throws: LedgerError.locked(directory: ledger)) { _ = try await w.value }
        }
        await #expect(throws: LedgerError.locked(directory: ledger)) {
            _ = try await Chain.opened(at: ledger, keystore: keystore, clock: clock, lockWait: 100)
        }
        holder.release()
        t.chain = try await Chain.opened(at: ledger, keystore: t.keystore, clock: t.clock.read)
        #expect(await t.chain.state.height == 1)
        await t.chain.close()
        await other.chain.close()
    }
}
