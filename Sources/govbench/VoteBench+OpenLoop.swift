import ChainModel
import Governance
import GovernanceEngine

/// Pre-signed votes for open-loop steps, and the engine's own request path driven by them.
extension VoteBench {
    /// Clients of an open-loop run and how its steps are sized.
    struct LoadShape: Sendable {
        var clients: Int
        var stepSeconds: Double
        var warmupSeconds: Double
        var steps: Int

        // Ten seconds a step: over five, one stall of a few hundred milliseconds decided a step's p99, and the
        // search's figure moved by a quarter between runs.
        static let full = LoadShape(clients: 128, stepSeconds: 10, warmupSeconds: 1.5, steps: 7)
        static let quick = LoadShape(clients: 64, stepSeconds: 0.5, warmupSeconds: 0.15, steps: 3)
    }

    var loadShape: LoadShape { scale.voters < 10_000 ? .quick : .full }

    /// The largest group a client sends at once: 16, or fewer when a client has fewer voters.
    func largestGroup(clients: Int) -> Int { min(16, voters.count / clients) }

    /// Each client's votes for `schedule`, signed now, outside the timed part. Client `c` signs as voters
    /// c, c + clients, c + 2·clients…, which no other client uses; it goes through them in turn, one
    /// proposal after another, so a voter's nonces rise in the order the client sends them.
    func openLoopVotes(for schedule: ArrivalSchedule, clients: Int) async throws -> (votes: [[Transaction]], proposals: [UInt64]) {
        let state = await engine.chainState()
        // A refused vote in an earlier step left its nonce unused: start again from the chain's.
        for i in voters.indices { nonces[i] = Int(state.nextNonce(of: voters[i].name)) }
        let needs = schedule.dealt(to: clients).map { $0.reduce(0) { $0 + $1.size } }
        let own = (0..<clients).map { c in Array(stride(from: c, to: voters.count, by: clients)) }
        let rounds = zip(needs, own).map { ($0 + $1.count - 1) / $1.count }.max() ?? 0
        var ids: [UInt64] = []
        for _ in 0..<rounds { ids += try await propose(1, as: "ops2") }
        await proposed?()
        let after = await engine.chainState()
        let seats = Dictionary(uniqueKeysWithValues: ids.map { id in
            let p = after.management.proposal(id)!
            return (id, (first: p.firstRequest, index: Dictionary(uniqueKeysWithValues: p.electorate.seats.enumerated().map { ($1.name, $0) })))
        })
        // (voter, round) for every vote, client by client.
        var plan: [(voter: Int, round: Int)] = []
        var starts: [Int] = []
        for c in 0..<clients {
            starts.append(plan.count)
            for k in 0..<needs[c] { plan.append((own[c][k % own[c].count], k / own[c].count)) }
        }
        let base = nonces
        let signed = await parallelMap(plan) { [voters, genesisHash, ids] item in
            let v = voters[item.voter]
            let id = ids[item.round]
            let seat = seats[id]!
            // Abstaining never settles a proposal before its last vote: approvals and rejections, arriving
            // in whatever order the schedule gives, closed proposals early and refused the votes still due.
            let choice: Choice = .abstain
            return Transaction.signed(chain: genesisHash, sender: v.name, nonce: UInt64(base[item.voter] + item.round), lane: .production,
                                      payload: .governance(.vote(proposal: id, request: seat.first + UInt64(seat.index[v.name]!), choice: choice)),
                                      key: v.key)
        }
        for item in plan { nonces[item.voter] = max(nonces[item.voter], base[item.voter] + item.round + 1) }
        return ((0..<clients).map { c in Array(signed[starts[c]..<starts[c] + needs[c]]) }, ids)
    }

    /// One step at `rate`: votes signed for it first, then sent open-loop through `submit`.
    func openLoopStep(rate: Double, seed: UInt64, clients: Int, submit: @escaping OpenLoop.Submit) async throws -> CurvePoint {
        let shape = loadShape
        let schedule = ArrivalSchedule(rate: rate, duration: .seconds(shape.stepSeconds), largestGroup: largestGroup(clients: clients), seed: seed)
        let (votes, proposals) = try await openLoopVotes(for: schedule, clients: clients)
        let point = try await OpenLoop(schedule: schedule, warmup: .seconds(shape.warmupSeconds), progress: progress)
            .run(votes: votes, submit: submit)
        await cancel(proposals, as: "ops2")
        progress.say(String(format: "  offered %6.0f/s  achieved %6.0f/s  p50 %7.2f ms  p99 %7.2f ms%@", point.offeredPerS, point.achievedPerS,
                            point.p50Ms, point.p99Ms,
                            (point.refused > 0 ? "  \(point.refused) refused" : "") + (point.abandoned > 0 ? "  \(point.abandoned) never sent" : "")))
        return point
    }

    /// A step whose figures are thrown away, before a search: whatever the previous phase left running
    /// (catching up on its blocks, a snapshot, cold connections) settles before the first measured step.
    func settle(rate: Double, clients: Int, submit: @escaping OpenLoop.Submit) async throws {
        let schedule = ArrivalSchedule(rate: rate, duration: .seconds(loadShape.warmupSeconds * 2), largestGroup: largestGroup(clients: clients), seed: 0)
        let (votes, proposals) = try await openLoopVotes(for: schedule, clients: clients)
        _ = try await OpenLoop(schedule: schedule, warmup: .zero).run(votes: votes, submit: submit)
        await cancel(proposals, as: "ops2")
    }

    /// The SLO search through `GovernanceEngine.submit(_:since:)`, the path `govconsole vote` takes.
    func sloSearch(ceiling: Double) async throws -> SLOSearch.Outcome {
        let shape = loadShape
        progress.say("searching the engine's rate at p99 ≤ 50 ms: \(shape.clients) clients, \(shape.steps) steps of \(shape.stepSeconds) s")
        let engine = self.engine
        let submit: (UInt64) -> OpenLoop.Submit = { since in
            { tx in
                let reply = try await engine.submit(tx, since: since)
                return Self.recordsTally(reply.receipt)
            }
        }
        try await settle(rate: 0.05 * ceiling, clients: shape.clients, submit: submit(await engine.chainState().height))
        var seed: UInt64 = 1
        return try await SLOSearch(low: 0.1 * ceiling, high: ceiling, steps: shape.steps).run { rate in
            seed += 1
            return try await openLoopStep(rate: rate, seed: seed, clients: shape.clients, submit: submit(await engine.chainState().height))
        }
    }

    /// Whether a vote's receipt records the `TallyUpdated` its subscribers are sent.
    static func recordsTally(_ receipt: Receipt) -> Bool {
        receipt.events.contains { if case .governance(.tallyUpdated) = $0 { true } else { false } }
    }
}
