@testable import ChainModel
@testable import ChainPrimitives
@testable import ContractRuntime
@testable import EmbeddedChain
@testable import Governance
@testable import Rollout
import Testing

/// Transactions built by hand, not through the engine, each refused with a specific error and leaving
/// the height, the head and the state exactly as they were.
@Suite struct HostileInputTests {
    struct Fingerprint: Equatable {
        let height: UInt64
        let head: Hash256
        let nonces: [String: UInt64]
        let proposals: [Proposal]
        let members: [String: Member]
        let permissions: [UInt64: Permission]
        let storage: [String: [[UInt8]: [UInt8]]]

        init(_ s: ChainState) {
            height = s.height; head = s.head; nonces = s.nonces; proposals = s.management.proposals
            members = s.management.members; permissions = s.management.permissions; storage = s.contractStorage
        }
    }

    /// A chain with proposal 1 passed (permission granted to ops) and proposal 2 voting.
    func chain() async throws -> TestChain {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        for v in ["alice", "bob", "carol"] { try await t.vote(v, 1, .approve) }
        try await t.send("ops", .propose(.removeMember(name: "erin")))
        return t
    }

    func refuse(_ t: TestChain, _ tx: Transaction, _ expected: TransactionRejection) async {
        let before = Fingerprint(await t.chain.state)
        await #expect(throws: expected) { try await t.submit(tx) }
        #expect(Fingerprint(await t.chain.state) == before)
    }

    func tx(_ t: TestChain, _ sender: String, _ payload: Payload, nonce: UInt64? = nil, key: SigningKey? = nil,
            lane: Lane = .production) async -> Transaction {
        let s = await t.chain.state
        return Transaction.signed(chain: s.genesisHash, sender: sender, nonce: nonce ?? s.nextNonce(of: sender), lane: lane,
                                  payload: payload, key: key ?? t.keys[sender]!)
    }

    @Test func signaturesAndNonces() async throws {
        let t = try await chain()
        let propose = Payload.governance(.propose(.newVoter("gina")))
        await refuse(t, await tx(t, "ops", propose, key: SigningKey()), .badSignature(sender: "ops"))
        // A valid signature, by the wrong member's key.
        await refuse(t, await tx(t, "ops", propose, key: t.keys["alice"]!), .badSignature(sender: "ops"))
        await refuse(t, await tx(t, "ops", propose, nonce: 1), .staleNonce(sender: "ops", expected: 3, got: 1))
        await refuse(t, await tx(t, "ops", propose, nonce: 9), .nonceGap(sender: "ops", expected: 3, got: 9))
        await refuse(t, await tx(t, "ops", propose, lane: .gray), .wrongLane(.gray))
    }

    @Test func malformedAndOversizedBytes() async throws {
        let t = try await chain()
        let good = await tx(t, "ops", .governance(.cancel(proposal: 2))).encoded
        // An unknown payload tag, a truncation, and trailing bytes never decode.
        var unknownTag = good
        unknownTag[1 + 32 + 4 + 3 + 8 + 1] = 0x7f
        #expect(throws: DecodingFailure.self) { try Transaction.decode(unknownTag) }
        #expect(throws: DecodingFailure.self) { try Transaction.decode(Array(good.dropLast(10))) }
        #expect(throws: DecodingFailure.self) { try Transaction.decode(good + [1]) }
        // A transaction over the size limit is refused whole.
        let huge = ContractCall(contract: "asset-ledger", function: "issue", args: (0..<64).map { _ in String(repeating: "x", count: 4096) })
        let big = await tx(t, "alice", .call(huge))
        await refuse(t, big, .oversize(bytes: big.encoded.count, limit: Limits.maxTransactionBytes))
    }

    @Test func votes() async throws {
        let t = try await chain()
        await refuse(t, await tx(t, "dave", .governance(.vote(proposal: 9, request: 1, choice: .approve))), .governance(.unknownProposal(9)))
        await refuse(t, await tx(t, "node-2", .governance(.vote(proposal: 2, request: 1, choice: .approve))),
                     .governance(.notAVoter(name: "node-2", role: .node)))
        await refuse(t, await tx(t, "ops", .governance(.vote(proposal: 2, request: 1, choice: .approve))),
                     .governance(.notAVoter(name: "ops", role: .admin)))
        // Voting on a closed proposal.
        await refuse(t, await tx(t, "dave", .governance(.vote(proposal: 1, request: 4, choice: .reject))),
                     .governance(.votingClosed(proposal: 1, status: .passed)))
        // Answering someone else's vote request, which is how a crafted vote would claim another weight.
        let carolsRequest = await t.proposal(2).elector("carol")!.request
        await refuse(t, await tx(t, "dave", .governance(.vote(proposal: 2, request: carolsRequest, choice: .approve))),
                     .governance(.wrongVoteRequest(proposal: 2, request: carolsRequest, voter: "dave")))
        // A vote counts once however often it is cast: the weight is the snapshot's, never the sender's say.
        let daves = await t.proposal(2).elector("dave")!.request
        for _ in 0..<3 { _ = try await t.submit(await tx(t, "dave", .governance(.vote(proposal: 2, request: daves, choice: .approve)))) }
        #expect(await t.proposal(2).tally == TallyCounts(approve: 1))
    }

    @Test func executionAndPermissions() async throws {
        let t = try await chain()
        await refuse(t, await tx(t, "ops", .governance(.execute(proposal: 2))), .governance(.notPassed(proposal: 2, status: .voting)))
        await refuse(t, await tx(t, "alice", .governance(.execute(proposal: 1))), .governance(.notAdmin(name: "alice", role: .voter)))
        _ = try await t.submit(await tx(t, "ops", .governance(.execute(proposal: 1))))
        await refuse(t, await tx(t, "ops", .governance(.execute(proposal: 1))), .governance(.alreadyExecuted(proposal: 1)))
    }

    @Test func permissionAfterExpiryAndRolloutsOutOfOrder() async throws {
        let t = try await chain()
        t.clock.advance(Policy.default.permissionTTL)
        await refuse(t, await tx(t, "ops", .governance(.execute(proposal: 1))), .governance(.permissionExpired(proposal: 1)))
        await refuse(t, await tx(t, "ops", .governance(.propose(.upgradeContract(name: "asset-ledger", to: "v2", stage: .gray, percent: 0)))),
                     .governance(.stageOutOfOrder(target: "asset-ledger", reason: "the gray stage needs the pre-release stage of v2 first")))
        await refuse(t, await tx(t, "ops", .governance(.propose(.rollbackContract(name: "asset-ledger")))),
                     .governance(.nothingToRollBack(target: "asset-ledger")))
    }

    @Test func codeOverTheSizeLimit() async throws {
        let t = try await chain()
        // Padding in a data segment makes a valid module larger than any deploy may be.
        let wat = "(module (memory 4) (data (i32.const 0) \"" + String(repeating: "a", count: Limits.maxCodeBytes) + "\"))"
        #expect(throws: GovernanceError.self) { try ContractCode.compile(Array(wat.utf8)) }
        var w = ByteWriter()
        w.raw([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
        let oversized = w.bytes + [UInt8](repeating: 0, count: Limits.maxCodeBytes)
        let deploy = await tx(t, "ops", .governance(.propose(.deployContract(name: "big", version: "v1", code: oversized))))
        let before = Fingerprint(await t.chain.state)
        await #expect(throws: TransactionRejection.self) { try await t.submit(deploy) }
        #expect(Fingerprint(await t.chain.state) == before)
    }
}
