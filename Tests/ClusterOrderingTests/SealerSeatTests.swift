import ChainModel
import ChainPrimitives
@testable import ClusterOrdering
@testable import EmbeddedChain
import EtcdClient
import Foundation
import Governance
import GovernanceAPI
@testable import GovernanceEngine
import Testing

/// One engine holds the sealer's seat and the others forward to it over the peer link: only a node of
/// the consortium may forward, and the seat passes on when its holder stops.
@Suite struct SealerSeatTests {
    /// A vote alice signed, for proposal 1, with her next nonce.
    static func aliceVote(_ c: Consortium3) async throws -> Transaction {
        let state = await c.engines[0].platform.state()
        let p = try #require(state.management.proposal(1))
        let seat = try #require(p.electorate.seats.firstIndex { $0.name == "alice" })
        return Transaction.signed(chain: state.genesisHash, sender: "alice", nonce: state.nextNonce(of: "alice"), lane: .production,
                                  payload: .governance(.vote(proposal: 1, request: p.firstRequest + UInt64(seat), choice: .approve)),
                                  key: try c.members.load("alice"))
    }

    /// Who holds the seat, as etcd has it: on a loaded machine a lease can lapse and the seat be empty a moment.
    static func seat(_ c: Consortium3) async throws -> SealerSeat {
        let client = try EtcdClient(endpoints: c.etcd.endpoints)
        defer { Task { await client.shutdown() } }
        let key = OrderKeys(genesis: await c.engines[0].platform.state().genesisHash).sealer
        var seat: SealerSeat?
        try await waitUntil("an engine holds the sealer's seat") {
            seat = try await client.get(key).flatMap { try? JSONDecoder().decode(SealerSeat.self, from: Data($0.value)) }
            return seat != nil
        }
        return seat!
    }

    @Test func aBatchForwardedWithoutANodesKeyIsRefusedWholeAndSealsNothing() async throws {
        try await Consortium3.with() { c in
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            let height = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            _ = try await c.agreedSealer()
            let seat = try await Self.seat(c)
            let vote = try await Self.aliceVote(c)
            let admin = try c.members.load("ops")
            // The admin's key claiming to be node-2, then the admin as itself: neither is a node's signature.
            for claimed in ["node-2", "ops"] {
                let forwarder = PeerClient(sealer: seat.node, host: seat.host, port: seat.port, genesis: vote.chain, node: claimed,
                                              sign: { admin.sign($0) })
                let outcome = await forwarder.send([ForwardedTransaction(tx: vote, refusesFailedCall: false)]).answer()
                guard case let .notSent(reason) = outcome else { Issue.record("forwarded as \(claimed): \(outcome)"); continue }
                #expect(reason.contains("not signed by the key of a node of this consortium"), "\(reason)")
            }
            // A node's own key is taken: the same vote goes through (asked again should the seat have moved).
            let nodeKey = try c.members.load("node-2")
            var outcome = Forwarding.notSent("not sent yet")
            try await waitUntil("the seat holder takes node-2's forward") {
                let holder = try await Self.seat(c)
                let forwarder = PeerClient(sealer: holder.node, host: holder.host, port: holder.port, genesis: vote.chain, node: "node-2",
                                           sign: { nodeKey.sign($0) })
                outcome = await forwarder.send([ForwardedTransaction(tx: vote, refusesFailedCall: false)]).answer()
                if case let .notSent(reason) = outcome { return !reason.contains("does not hold the sealer's seat") }
                return true
            }
            guard case let .answered(results) = outcome, case let .sealed(at) = results.first else {
                Issue.record("a node's forward was not sealed: \(outcome)")
                return
            }
            #expect(at > height)
            // Sent again, as after an answer lost on the way back: the sealer answers with the block it is
            // in, not with a refusal of its own nonce as a replay.
            let holder = try await Self.seat(c)
            let again = PeerClient(sealer: holder.node, host: holder.host, port: holder.port, genesis: vote.chain, node: "node-2",
                                   sign: { nodeKey.sign($0) })
            #expect(await again.send([ForwardedTransaction(tx: vote, refusesFailedCall: false)]).answer() == .answered([.sealed(height: at)]))
            _ = try await c.converged(atLeast: at)
            #expect(await c.engines[1].platform.state().management.proposal(1)?.tally.approve == 1, "counted once, after the refusals")
        }
    }

    @Test func whenTheSealerStopsAnotherTakesTheSeatAndVotesGoOn() async throws {
        try await Consortium3.with() { c in
            _ = try await c.client(0).propose(.setPolicy(PolicyChange(votingPeriod: 7_200_000)), as: "ops")
            _ = try await c.converged(atLeast: await c.engines[0].platform.state().height)
            let first = try await c.agreedSealer()
            let stopped = try #require(Consortium3.nodes.firstIndex(of: first))
            // A clean stop revokes its lease, and the seat with it; the others find it free on their next look.
            await c.engines[stopped].close()
            let rest = c.engines.indices.filter { $0 != stopped }
            var next: String?
            try await waitUntil("the engines left agree on another sealer", limit: .seconds(60)) {
                let named = await rest.asyncMap { await c.engines[$0].status().cluster?.sealer }
                next = named[0]
                return named[0] != nil && named[0] != first && named.allSatisfy { $0 == named[0] }
            }
            let before = await c.engines[rest[0]].platform.state().height
            var heights: [UInt64] = []
            for (i, voter) in zip(rest, ["alice", "bob"]) {
                heights.append(try await c.client(i).vote(1, "approve", as: voter).height)
            }
            let top = heights.max()!
            try await waitUntil("both engines left reach block \(top)") {
                await rest.asyncMap { await c.engines[$0].platform.state().height }.allSatisfy { $0 >= top }
            }
            let blocks = try await c.engines[rest[0]].platform.readBlocks(from: before + 1, limit: Int(top - before))
            #expect(Set(blocks.map(\.header.proposer)) == [next!], "every block since is the new sealer's")
            #expect(await c.engines[rest[1]].platform.state().management.proposal(1)?.tally.approve == 2)
        }
    }
}
