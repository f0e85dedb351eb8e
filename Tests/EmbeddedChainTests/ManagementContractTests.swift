@testable import ChainModel
@testable import ChainPrimitives
@testable import EmbeddedChain
@testable import Governance
import Testing

@Suite struct ManagementContractTests {
    @Test func proposalRequestsAVoteFromEveryVoter() async throws {
        let t = try TestChain()
        let r = try await t.send("ops", .propose(.newVoter("frank")))
        let requested = r.events.compactMap { e -> String? in
            if case let .governance(.voteRequested(1, voter, 1, _)) = e { return voter }
            return nil
        }
        #expect(requested == ["alice", "bob", "carol", "dave", "erin"])
        let p = await t.proposal(1)
        #expect(p.status(at: t.clock.now) == .voting)
        #expect(p.totalWeight == 5)
    }

    @Test func threeApprovalsOfFivePassAndGrantAPermission() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        try await t.vote("bob", 1, .approve)
        #expect(await t.proposal(1).recordedStatus == .voting)
        try await t.vote("carol", 1, .approve)
        #expect(await t.proposal(1).recordedStatus == .passed)
        let permission = try #require(await t.chain.state.management.permissions[1])
        #expect(permission.holder == "ops" && permission.operation == .addMember && permission.target == "frank")
        #expect(permission.expiresAt == t.clock.now + Policy.default.permissionTTL)
    }

    @Test func theLastVoteCounts() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .reject)
        try await t.vote("alice", 1, .approve)
        try await t.vote("bob", 1, .abstain)
        try await t.vote("bob", 1, .reject)
        let p = await t.proposal(1)
        #expect(p.tally == TallyCounts(approve: 1, reject: 1, abstain: 0))
        #expect(p.votes == ["alice": .approve, "bob": .reject])
    }

    @Test func aVoteOnAClosedProposalIsRefused() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .reject) }
        #expect(await t.proposal(1).recordedStatus == .rejected)
        await #expect(throws: TransactionRejection.governance(.votingClosed(proposal: 1, status: .rejected))) {
            try await t.vote("dave", 1, .approve)
        }
    }

    @Test func deadlineWithoutQuorumExpiresAtTheNextBlock() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.vote("alice", 1, .approve)
        t.clock.advance(Policy.default.votingPeriod)
        // Before any block records it, the status is already computed from the time.
        #expect(await t.proposal(1).status(at: t.clock.now) == .expired)
        #expect(await t.proposal(1).recordedStatus == .voting)
        let block = try #require(try await t.chain.sealIfDue())
        #expect(block.blockEvents == [.governance(.proposalExpired(proposal: 1))])
        #expect(await t.proposal(1).recordedStatus == .expired)
        #expect(try await t.chain.sealIfDue() == nil)
    }

    @Test func deadlineWithQuorumDecidesPassOrReject() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.send("ops", .propose(.newVoter("gina")))
        try await t.vote("alice", 1, .approve)
        try await t.vote("bob", 1, .approve)
        try await t.vote("carol", 1, .reject)
        try await t.vote("alice", 2, .approve)
        try await t.vote("bob", 2, .reject)
        try await t.vote("carol", 2, .reject)
        t.clock.advance(Policy.default.votingPeriod)
        _ = try await t.chain.sealIfDue()
        #expect(await t.proposal(1).recordedStatus == .passed)
        #expect(await t.proposal(2).recordedStatus == .rejected)
    }

    @Test func executeAppliesTheOperationOnceWithItsPermission() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank", weight: 3)))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        let r = try await t.send("ops", .execute(proposal: 1))
        #expect(r.events == [.governance(.permissionConsumed(proposal: 1, holder: "ops")),
                             .governance(.operationExecuted(proposal: 1, operation: .addMember, target: "frank"))])
        let state = await t.chain.state.management
        #expect(state.members["frank"]?.weight == 3)
        #expect(state.permissions[1]?.recordedState == .consumed)
        #expect(state.proposal(1)?.recordedStatus == .executed)
        await #expect(throws: TransactionRejection.governance(.alreadyExecuted(proposal: 1))) {
            try await t.send("ops", .execute(proposal: 1))
        }
    }

    @Test func executeNeedsAGrantedUnexpiredPermissionHeldByTheProposer() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        await #expect(throws: TransactionRejection.governance(.notPassed(proposal: 1, status: .voting))) {
            try await t.send("ops", .execute(proposal: 1))
        }
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        await #expect(throws: TransactionRejection.governance(.notAdmin(name: "alice", role: .voter))) {
            try await t.send("alice", .execute(proposal: 1))
        }
        t.clock.advance(Policy.default.permissionTTL)
        let height = await t.chain.state.height
        await #expect(throws: TransactionRejection.governance(.permissionExpired(proposal: 1))) {
            try await t.send("ops", .execute(proposal: 1))
        }
        // The refusal sealed nothing, not even the expiry it ran into.
        #expect(await t.chain.state.height == height)
        let block = try #require(try await t.chain.sealIfDue())
        #expect(block.blockEvents == [.governance(.permissionExpired(proposal: 1, holder: "ops"))])
        #expect(await t.chain.state.management.members["frank"] == nil)
    }

    @Test func onlyTheProposerCancelsAndOnlyWhileVoting() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        await #expect(throws: TransactionRejection.governance(.notAdmin(name: "alice", role: .voter))) {
            try await t.send("alice", .cancel(proposal: 1))
        }
        try await t.send("ops", .cancel(proposal: 1))
        #expect(await t.proposal(1).recordedStatus == .canceled)
        await #expect(throws: TransactionRejection.governance(.votingClosed(proposal: 1, status: .canceled))) {
            try await t.vote("alice", 1, .approve)
        }
    }

    @Test func theElectorateIsSnapshotted() async throws {
        let t = try TestChain()
        // Proposal 1 adds frank; proposal 2 was made before frank joined, so frank may not vote on it.
        let frank = SigningKey()
        try await t.send("ops", .propose(.addMember(name: "frank", role: .voter, weight: 1, publicKey: frank.publicKey)))
        try await t.send("ops", .propose(.setPolicy(PolicyChange(quorum: Ratio(parsing: "0.6")))))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        try await t.send("ops", .execute(proposal: 1))
        #expect(await t.proposal(2).totalWeight == 5)
        let vote = await t.tx("frank", .vote(proposal: 2, request: 1, choice: .approve), key: frank)
        await #expect(throws: TransactionRejection.governance(.notElector(name: "frank", proposal: 2))) {
            try await t.submit(vote)
        }
        // A member removed after a proposal was made can no longer vote on it.
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        for v in ["alice", "bob", "carol", "dave"] { try await t.vote(v, 3, .approve) }
        try await t.send("ops", .execute(proposal: 3))
        await #expect(throws: TransactionRejection.unknownSender("erin")) {
            try await t.vote("erin", 2, .approve)
        }
    }

    @Test func aRemovedMembersKeyAndNameDoNotComeBack() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.setPolicy(PolicyChange(threshold: Ratio(parsing: "0.6")))))
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 2, .approve) }
        try await t.send("ops", .execute(proposal: 2))
        let erinsOldKey = t.keys["erin"]!.publicKey
        #expect(await t.chain.state.management.retiredKeys.contains(erinsOldKey))
        // The old key is refused even under another name.
        await #expect(throws: TransactionRejection.governance(.keyRetired)) {
            try await t.send("ops", .propose(.addMember(name: "erin2", role: .voter, weight: 1, publicKey: erinsOldKey)))
        }
        // A new erin with a new key is not the erin of proposal 1's electorate.
        let newErin = SigningKey()
        try await t.send("ops", .propose(.addMember(name: "erin", role: .voter, weight: 1, publicKey: newErin.publicKey)))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 3, .approve) }
        try await t.send("ops", .execute(proposal: 3))
        let request = await t.proposal(1).elector("erin")!.request
        let vote = await t.tx("erin", .vote(proposal: 1, request: request, choice: .approve), key: newErin)
        await #expect(throws: TransactionRejection.governance(.notElector(name: "erin", proposal: 1))) {
            try await t.submit(vote)
        }
    }

    @Test func governanceTravelsOnProductionAndAdminsHaveNoWeight() async throws {
        let t = try TestChain()
        let state = await t.chain.state
        let gray = Transaction.signed(chain: state.genesisHash, sender: "ops", nonce: 1, lane: .gray,
                                      payload: .governance(.propose(.newVoter("frank"))), key: t.keys["ops"]!)
        await #expect(throws: TransactionRejection.wrongLane(.gray)) { try await t.submit(gray) }
        await #expect(throws: TransactionRejection.governance(.adminWeight)) {
            try await t.send("ops", .propose(.addMember(name: "root", role: .admin, weight: 5, publicKey: SigningKey().publicKey)))
        }
        #expect(await t.chain.state.height == 0)
    }

    @Test func adminsAndNodesDoNotVoteAndVotersDoNotPropose() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        await #expect(throws: TransactionRejection.governance(.notAVoter(name: "ops", role: .admin))) {
            try await t.send("ops", .vote(proposal: 1, request: 1, choice: .approve))
        }
        await #expect(throws: TransactionRejection.governance(.notAVoter(name: "node-2", role: .node))) {
            try await t.send("node-2", .vote(proposal: 1, request: 1, choice: .approve))
        }
        await #expect(throws: TransactionRejection.governance(.notAdmin(name: "alice", role: .voter))) {
            try await t.send("alice", .propose(.newVoter("gina")))
        }
        // A vote must answer the voter's own vote request.
        let bobsRequest = await t.proposal(1).elector("bob")!.request
        await #expect(throws: TransactionRejection.governance(.wrongVoteRequest(proposal: 1, request: bobsRequest, voter: "alice"))) {
            try await t.send("alice", .vote(proposal: 1, request: bobsRequest, choice: .approve))
        }
    }

    @Test func operationsAreCheckedWhenProposedAndWhenExecuted() async throws {
        let t = try TestChain()
        await #expect(throws: TransactionRejection.governance(.memberExists("alice"))) {
            try await t.send("ops", .propose(.newVoter("alice")))
        }
        await #expect(throws: TransactionRejection.governance(.lastAdmin("ops"))) {
            try await t.send("ops", .propose(.removeMember(name: "ops")))
        }
        await #expect(throws: TransactionRejection.governance(.emptyPolicyChange)) {
            try await t.send("ops", .propose(.setPolicy(PolicyChange())))
        }
        // Two proposals add the same name; the second one's execution finds it taken.
        try await t.send("ops", .propose(.newVoter("frank")))
        try await t.send("ops", .propose(.newVoter("frank")))
        for p: UInt64 in [1, 2] { for v in ["alice", "bob", "carol"] { try await t.vote(v, p, .approve) } }
        try await t.send("ops", .execute(proposal: 1))
        await #expect(throws: TransactionRejection.governance(.memberExists("frank"))) {
            try await t.send("ops", .execute(proposal: 2))
        }
    }

    @Test func setPolicyChangesLaterProposalsOnly() async throws {
        let t = try TestChain()
        let change = PolicyChange(quorum: Ratio(parsing: "0.8"), votingPeriod: 60_000)
        try await t.send("ops", .propose(.setPolicy(change)))
        try await t.send("ops", .propose(.newVoter("frank")))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        try await t.send("ops", .execute(proposal: 1))
        #expect(await t.chain.state.management.policy.quorum == Ratio(parsing: "0.8"))
        #expect(await t.proposal(2).quorum == .half)
        try await t.send("ops", .propose(.newVoter("gina")))
        let p3 = await t.proposal(3)
        #expect(p3.quorum == Ratio(parsing: "0.8") && p3.deadline == p3.submittedAt + 60_000)
    }
}
