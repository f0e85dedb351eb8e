@testable import ChainModel
@testable import ChainPrimitives
@testable import EmbeddedChain
import Foundation
@testable import Governance
import Testing

/// The engine judges a vote read-only against the committed state instead of dry-running it on a copy:
/// the verdict must be the dry run's, refusal for refusal, or a request would be accepted or refused
/// differently depending on the path it took.
@Suite struct VotePrecheckTests {
    /// The precheck's verdict and the dry run's, side by side, as text.
    private func verdicts(_ t: TestChain, _ tx: Transaction) async -> (precheck: String, dryRun: String) {
        let chain = t.chain
        let check = SignatureCheck.verify(tx, members: chain.committed.management.members)!
        let precheck: String
        do {
            let judged = try StateTransition.precheckVote(tx, encodedSize: tx.encodedSize, in: chain.committed,
                                                          at: chain.committedNow, verifiedKey: check.key)
            precheck = judged ? "ok" : "not a vote"
        } catch {
            precheck = "\(error)"
        }
        let dryRun: String
        do {
            _ = try await chain.dryRun(tx, via: await t.routed(tx))
            dryRun = "ok"
        } catch {
            dryRun = "\(error)"
        }
        return (precheck, dryRun)
    }

    private func signed(_ t: TestChain, _ sender: String, _ call: GovernanceCall, nonce: UInt64? = nil,
                        lane: Lane = .production, chain: Hash256? = nil) -> Transaction {
        let state = t.chain.committed
        return Transaction.signed(chain: chain ?? state.genesisHash, sender: sender, nonce: nonce ?? state.nextNonce(of: sender),
                                  lane: lane, payload: .governance(call), key: t.keys[sender]!)
    }

    @Test func everyVerdictOnAVoteIsTheDryRuns() async throws {
        let late = SigningKey()
        let t = try {
            var t = try TestChain()
            t.keys["zed"] = late
            return t
        }()
        try await t.send("ops", .propose(.setPolicy(PolicyChange(quorum: .half))))
        // zed joins after proposal 1 was made, so is not among its electors.
        try await t.enact(.addMember(name: "zed", role: .voter, weight: 1, publicKey: late.publicKey))
        let request = { (voter: String) in t.chain.committed.management.proposal(1)!.elector(voter)!.request }
        try await t.vote("alice", 1, .approve)

        let cases: [(String, Transaction)] = [
            ("a good vote", signed(t, "bob", .vote(proposal: 1, request: request("bob"), choice: .reject))),
            ("a nonce ahead of the committed one", signed(t, "bob", .vote(proposal: 1, request: request("bob"), choice: .reject), nonce: 5)),
            ("an unknown proposal", signed(t, "bob", .vote(proposal: 99, request: 1, choice: .approve))),
            ("an admin", signed(t, "ops", .vote(proposal: 1, request: request("alice"), choice: .approve))),
            ("someone else's request", signed(t, "bob", .vote(proposal: 1, request: request("carol"), choice: .approve))),
            ("a member who joined later", signed(t, "zed", .vote(proposal: 1, request: request("carol"), choice: .approve))),
            ("a used nonce", signed(t, "alice", .vote(proposal: 1, request: request("alice"), choice: .reject), nonce: 1)),
            ("another lane", signed(t, "bob", .vote(proposal: 1, request: request("bob"), choice: .reject), lane: .gray)),
            ("another chain", signed(t, "bob", .vote(proposal: 1, request: request("bob"), choice: .reject), chain: .zero)),
        ]
        for (what, tx) in cases {
            let (precheck, dryRun) = await verdicts(t, tx)
            #expect(precheck == dryRun, "\(what)")
        }
        #expect(await verdicts(t, cases[0].1).precheck == "ok")
        #expect(await verdicts(t, cases[2].1).precheck.contains("99"))

        // Past the deadline the vote is closed for both, before any block has recorded the closing.
        t.clock.advance(Policy.default.votingPeriod + 1)
        let (precheck, dryRun) = await verdicts(t, signed(t, "bob", .vote(proposal: 1, request: request("bob"), choice: .reject)))
        #expect(precheck == dryRun)
        #expect(precheck != "ok")
        await t.chain.close()
    }

    @Test func anythingButAVoteIsLeftToTheDryRun() async throws {
        let t = try TestChain()
        let propose = signed(t, "ops", .propose(.setPolicy(PolicyChange(quorum: .half))))
        #expect(await verdicts(t, propose) == (precheck: "not a vote", dryRun: "ok"))
        await t.chain.close()
    }
}
