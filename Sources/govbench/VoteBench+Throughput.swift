import ChainModel
import ChainPrimitives

/// The throughput figures: the signature ceiling, committed votes against it, and contract calls.
extension VoteBench {
    /// Raw Ed25519 verifications per second on every core, of the same keys and messages as the votes.
    /// The first call signs a round of votes to verify, which then count as the first round of the vote
    /// load; later calls verify the same signatures again (the ceiling measured after the load).
    func verifyCeiling() async throws -> Double {
        if ceilingWork.isEmpty {
            let ids = try await propose(1, as: "ops")
            let votes = await signVotes(on: ids[0])
            let keys = Dictionary(uniqueKeysWithValues: voters.map { ($0.name, $0.key.publicKey) })
            ceilingWork = votes.map { (key: keys[$0.sender]!, message: $0.signingBytes, signature: $0.signature) }
            pendingFirstRound = votes
        }
        let work = ceilingWork
        progress.say("verifying \(work.count) signatures on every core")
        var verified = 0
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(quickOr(1, 3)) {
            let ok = await parallelMap(Array(work.indices)) { i in work[i].key.isValidSignature(work[i].signature, for: work[i].message) }
            precondition(ok.allSatisfy { $0 })
            verified += work.count
        }
        return Double(verified) / (ContinuousClock.now - started).seconds
    }

    func quickOr(_ quick: Int, _ full: Int) -> Int { scale.voters < 10_000 ? quick : full }

    /// Votes from every voter on every proposal, through the platform to the subscriber. Proposals are
    /// made and their votes signed five at a time, outside the timed part, and each five are then sent as
    /// one stream: the pipeline drains only between streams. (A proposal addresses a vote request to every
    /// voter, so making all of them at once would be one enormous block.)
    func committedVotes() async throws -> (perSecond: Double, votes: Int) {
        var timed = Duration.zero
        var committed = 0
        var made = 0
        progress.say("submitting \(scale.voters) votes on each of \(scale.proposals) proposals")
        while made < scale.proposals {
            var votes: [Transaction] = []
            let group = min(5, scale.proposals - made)
            for _ in 0..<group {
                if let first = pendingFirstRound {
                    votes += first
                    pendingFirstRound = nil
                } else {
                    votes += await signVotes(on: try await propose(1, as: "ops")[0])
                }
            }
            made += group
            let base = deliveries.tallies
            let started = ContinuousClock.now
            let accepted = await submitAll(votes)
            guard accepted == votes.count else { throw BenchError("\(votes.count - accepted) of \(votes.count) votes were refused") }
            committed += accepted
            try await deliveries.wait(untilTallies: base + accepted)
            timed += ContinuousClock.now - started
            if made % 10 == 0 { progress.say("  \(made) proposals, \(committed) votes, \(Int(Double(committed) / timed.seconds)) votes/s") }
        }
        return (Double(committed) / timed.seconds, committed)
    }

    /// Committed `asset-ledger` transfers per second.
    func wasmCalls() async throws -> Double {
        progress.say("issuing balances to \(voters.count) voters")
        _ = await submitAll(calls { i in ContractCall(contract: "asset-ledger", function: "issue", args: ["1000000"]) })
        var timed = Duration.zero
        var committed = 0
        progress.say("committing \(scale.wasmCalls) asset-ledger transfers")
        while committed < scale.wasmCalls {
            let round = calls(count: min(voters.count, scale.wasmCalls - committed)) { [voters] i in
                ContractCall(contract: "asset-ledger", function: "transfer", args: [voters[(i + 1) % voters.count].name, "1"])
            }
            let started = ContinuousClock.now
            let n = await submitAll(round)
            timed += ContinuousClock.now - started
            guard n == round.count else { throw BenchError("\(round.count - n) of \(round.count) transfers were refused") }
            committed += n
        }
        return Double(committed) / timed.seconds
    }
}
