import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Foundation
import Governance
@testable import GovernanceAPI
@testable import GovernanceEngine
import Rollout
@testable import ServicePlatform
import Synchronization
import Testing

/// Time that moves only when the test says so.
final class TestClock: Sendable {
    private let ms = Atomic<UInt64>(1_800_000_000_000)
    var read: ChainClock { { self.ms.load(ordering: .relaxed) } }
    func advance(_ delta: UInt64) { ms.add(delta, ordering: .relaxed) }
}

@Suite struct EngineTests {
    let clock = TestClock()
    let dir = DataDirectory(path: NSTemporaryDirectory() + "gc-engine-\(UUID().uuidString)")

    func demo() async throws -> GovernanceClient {
        try await GovernanceClient.create(at: dir, consortium: try .demo(), clock: clock.read)
    }

    func pass(_ engine: GovernanceClient, _ id: UInt64) async throws {
        for v in ["alice", "bob", "carol"] { _ = try await engine.vote(id, "approve", as: v) }
    }

    /// A feed reads committed blocks from the ledger, then follows live ones; a reader that leaves more
    /// than its buffer unread is told to resynchronise and then follows from the head.
    @Test func aFeedCatchesUpFromTheLedgerAndTellsASlowReaderToResync() async throws {
        let engine = try await demo()
        for i in 0..<3 { _ = try await engine.propose(.setPolicy(PolicyChange(votingPeriod: 3_600_000 + UInt64(i))), as: "ops") }
        var caughtUp: [UInt64] = []
        for await item in engine.local!.feed(from: 1, buffer: 4) {
            guard case let .block(h, events) = item else { Issue.record("unexpected \(item)"); break }
            #expect(events.first?.type == "ProposalSubmitted")
            caughtUp.append(h)
            if h == 3 { break }
        }
        #expect(caughtUp == [1, 2, 3])

        let slow = engine.local!.feed(from: 4, buffer: 4)
        var reader = slow.makeAsyncIterator()
        // The first pull subscribes; then ten blocks land while nobody reads. Wait for the subscription
        // itself, not a guess at how long it takes: a reader that subscribed late would read the blocks
        // from the ledger instead, and never fall behind.
        let subscribed = await engine.local!.platform.chain.subscriberCount
        async let first = reader.next()
        let patience = Date().addingTimeInterval(120)
        while await engine.local!.platform.chain.subscriberCount == subscribed {
            try #require(Date() < patience, "the reader never subscribed")
            try await Task.sleep(for: .milliseconds(5))
        }
        // Votes changed back and forth: ten blocks, and the outcome stays open.
        for round in 0..<5 {
            for v in ["alice", "bob"] { _ = try await engine.vote(1, round % 2 == 0 ? "reject" : "abstain", as: v) }
        }
        var items = [await first]
        while let item = await reader.next() {
            items.append(item)
            if case .resync = item { break }
        }
        guard case let .resync(from)? = items.last else { Issue.record("no resync in \(items)"); return }
        #expect(items.count <= 6, "at most the buffer's worth of blocks before the resync")
        #expect(from <= 14)
        await engine.close()
    }

    @Test func aReopenedEngineStartsFromTheStateAndStillKnowsEarlierHistory() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        try await pass(engine, 1)
        let before = try await engine.events(proposal: 1)
        let status = try await engine.status()
        await engine.close()

        // Reopened from its snapshot: nothing replayed, yet the permission registry and the proposal's
        // history are what they were, and execute works against them.
        let reopened = try await GovernanceClient.open(at: dir, clock: clock.read)
        #expect(reopened.warnings.isEmpty)
        #expect(try await reopened.status().head == status.head)
        #expect(try await reopened.events(proposal: 1) == before)
        _ = try await reopened.execute(1, as: "ops")
        #expect(try await reopened.events(proposal: 1).map(\.type).suffix(2) == ["PermissionConsumed", "OperationExecuted"])
        await reopened.close()
    }

    @Test func batchesReachTheChainInTheOrderTheyReachedThePlatform() async throws {
        let engine = try await demo()
        let key = try Keystore(directory: dir.keys).load("alice")
        let chain = await engine.local!.chainState().genesisHash
        func balance(_ nonce: UInt64) -> Transaction {
            .signed(chain: chain, sender: "alice", nonce: nonce, lane: .production,
                    payload: .call(ContractCall(contract: "asset-ledger", function: "balance", args: [])), key: key)
        }
        // The first batch takes far longer to verify than the second, which carries the next nonce: were
        // the second handed over first, it would be refused as skipping ahead. Whether the second would
        // overtake depends on timing, so the race is run several times.
        for round in 0..<5 {
            let base = UInt64(round * 251)
            let (a, b) = ((base + 1...base + 250).map(balance), [balance(base + 251)])
            let first = Task { await engine.local!.platform.submit(batch: a) }
            try await Task.sleep(for: .milliseconds(3))
            let second = Task { await engine.local!.platform.submit(batch: b) }
            #expect(await first.value.allSatisfy { (try? $0.get()) != nil })
            #expect(try await second.value[0].get().ok)
        }
        await engine.close()
    }

    @Test func proposeVoteExecuteAddsAMemberWhoCanThenVote() async throws {
        let engine = try await demo()
        let (key, generated) = try await engine.memberKey(for: "frank")
        let proposal = try await engine.propose(.addMember(name: "frank", role: .voter, weight: 2, publicKey: key),
                                                as: "ops", newMemberKey: generated)
        #expect(proposal.id == 1 && proposal.status == "voting")
        try await pass(engine, 1)
        #expect(try await engine.proposal(1).permission.state == "granted")
        let executed = try await engine.execute(1, as: "ops")
        #expect(executed.status == "executed")
        #expect(try await engine.members().contains(MemberView(name: "frank", role: "voter", weight: 2, key: key.hex)))
        #expect(try await engine.proposal(1).permission.state == "consumed")

        // frank's key went into the keystore, so frank can vote on the next proposal.
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        let vote = try await engine.vote(2, "approve", as: "frank")
        #expect(vote.tally.approve == 2 && vote.tally.total == 7)
        await engine.close()
    }

    @Test func theEngineChecksItsPermissionRegistryBeforeTheChain() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        try await pass(engine, 1)
        clock.advance(Policy.default.permissionTTL)
        let height = try await engine.status().height
        // The refusal is the engine's own (claim 2), not the chain's.
        await #expect(throws: EngineError.permissionMissing(proposal: 1, holder: "ops", state: .expired, status: .passed)) {
            try await engine.execute(1, as: "ops")
        }
        #expect(try await engine.status().height == height)
        await engine.close()
    }

    @Test func votesArePushedBackAsEventsThroughThePlatform() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        let events = await engine.local!.platform.events(from: try await engine.status().height + 1)
        _ = try await engine.vote(1, "reject", as: "bob")
        var seen: [String] = []
        for await e in events {
            seen.append(e.event.name)
            if case .governance(.tallyUpdated(1, 0, 1, 0, 5)) = e.event { break }
        }
        #expect(seen == ["VoteCast", "TallyUpdated"])
        await engine.close()
    }

    @Test func refusedRequestsLeaveTheLedgerAsItWas() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        let before = try await engine.status()
        await #expect(throws: EngineError.unknownIdentity("zed", known: ["alice", "bob", "carol", "dave", "erin", "ops"])) {
            try await engine.vote(1, "approve", as: "zed")
        }
        await #expect(throws: EngineError.unknownChoice("maybe")) { try await engine.vote(1, "maybe", as: "bob") }
        await #expect(throws: GovernanceError.notAdmin(name: "bob", role: .voter)) {
            try await engine.propose(.removeMember(name: "erin"), as: "bob")
        }
        await #expect(throws: GovernanceError.notAdmin(name: "bob", role: .voter)) {
            try await engine.cancel(1, as: "bob")
        }
        let after = try await engine.status()
        #expect(after.height == before.height && after.head == before.head)
        await engine.close()
    }

    @Test func aProposalThatPassesAtItsDeadlineCanBeExecuted() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        // 2 approve, 1 reject: not settled early (the other two could reject), but passed at the deadline.
        _ = try await engine.vote(1, "approve", as: "alice")
        _ = try await engine.vote(1, "approve", as: "bob")
        _ = try await engine.vote(1, "reject", as: "carol")
        clock.advance(Policy.default.votingPeriod)
        #expect(try await engine.proposal(1).status == "passed")
        let result = try await engine.execute(1, as: "ops")
        #expect(result.status == "executed")
        #expect(try await engine.events(proposal: 1).map(\.type).suffix(4) == ["ProposalPassed", "PermissionGranted", "PermissionConsumed", "OperationExecuted"])
        // The removed member's key is retired from the keystore, and a new erin gets a new key.
        #expect(!FileManager.default.fileExists(atPath: dir.keys + "/erin.key"))
        let (key, generated) = try await engine.memberKey(for: "erin")
        #expect(generated?.publicKey == key)
        await engine.close()
    }

    @Test func anExpiredVoteIsRecordedByTheNextBlock() async throws {
        let engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        _ = try await engine.vote(1, "approve", as: "alice")
        clock.advance(Policy.default.votingPeriod)
        #expect(try await engine.proposal(1).status == "expired")
        #expect(try await engine.closeDue() != nil)
        #expect(try await engine.closeDue() == nil)
        #expect(try await engine.events(proposal: 1).last?.type == "ProposalExpired")
        await engine.close()
    }

    @Test func reopeningGivesTheSameChain() async throws {
        var engine = try await demo()
        _ = try await engine.propose(.removeMember(name: "erin"), as: "ops")
        try await pass(engine, 1)
        _ = try await engine.execute(1, as: "ops")
        let before = try await engine.status()
        await engine.close()
        engine = try await GovernanceClient.open(at: dir, clock: clock.read)
        let after = try await engine.status()
        #expect(after.height == before.height && after.head == before.head)
        #expect(try await engine.members().map(\.name) == ["ops", "alice", "bob", "carol", "dave"])
        // The registry is rebuilt from the replayed blocks: the permission is known to be used.
        await #expect(throws: EngineError.permissionMissing(proposal: 1, holder: "ops", state: .consumed, status: .executed)) {
            try await engine.execute(1, as: "ops")
        }
        await engine.close()
    }

    @Test func initRefusesToReplaceAChainUnlessForced() async throws {
        let engine = try await demo()
        await engine.close()
        await #expect(throws: LedgerError.exists(directory: dir.path)) {
            try await GovernanceClient.create(at: dir, consortium: try .demo(), clock: clock.read)
        }
        let replaced = try await GovernanceClient.create(at: dir, consortium: try .demo(), force: true, clock: clock.read)
        #expect(try await replaced.status().height == 0)
        await replaced.close()
    }
}

@Suite struct RoutingTests {
    func tx(_ nonce: Int, lane: Lane = .production, key: SigningKey) -> Transaction {
        Transaction.signed(chain: .zero, sender: "ops", nonce: UInt64(nonce), lane: lane,
                           payload: .governance(.cancel(proposal: 1)), key: key)
    }

    @Test func spreadsEvenlyAndDeterministicallyOverNodesOfOneLogic() {
        let fleet = (1...6).map { NodeRecord(name: "node-\($0)", logic: "v1") }
        let key = SigningKey()
        var counts: [String: Int] = [:]
        for nonce in 1...600 {
            let node = NodeRouting.node(for: tx(nonce, key: key), fleet: fleet, policy: RoutingPolicy(old: "v1"))
            #expect(NodeRouting.node(for: tx(nonce, key: key), fleet: fleet, policy: RoutingPolicy(old: "v1")) == node)
            counts[node, default: 0] += 1
        }
        #expect(counts.count == 6)
        #expect(counts.values.allSatisfy { $0 > 50 })
    }

    @Test func routesEachLaneToTheLogicItsStageNames() throws {
        let fleet = (1...6).map { NodeRecord(name: "node-\($0)", logic: $0 >= 5 ? "v2" : "v1") }
        let policy = try RoutingPolicy(old: "v1").advancing(to: "v2", stage: .prerelease, percent: 0, target: "nodes")
        let key = SigningKey()
        for nonce in 1...200 {
            let pre = NodeRouting.node(for: tx(nonce, lane: .prerelease, key: key), fleet: fleet, policy: policy)
            let prod = NodeRouting.node(for: tx(nonce, lane: .production, key: key), fleet: fleet, policy: policy)
            #expect(["node-5", "node-6"].contains(pre))
            #expect(!["node-5", "node-6"].contains(prod))
        }
    }
}
