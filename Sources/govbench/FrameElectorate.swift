import ChainModel
import ConsoleUI
import Foundation
import Governance
import GovernanceAPI

/// A proposal with a 10,000-member electorate as the console receives it: the engine's detail view (votes
/// and pending voters in electorate order, the last 500 events) and the votes and tallies that keep
/// arriving for it and for the other open proposals. Built from the real proposal's view, with only the
/// electorate grown: an engine whose every one of 1,000 proposals asked 10,000 voters would spend
/// minutes recording ten million `VoteRequested` events before the first frame.
struct FrameElectorate {
    let detail: ProposalDetail
    /// The consortium's members as `members()` lists them: the admins, then every voter.
    let members: [MemberView]
    /// Whose console it is: the last voter, still asked for a vote and the last member to be found.
    let identity: String
    /// Events as the feed delivers them, enough for `pool` frames; the frames take them in turn.
    let arrivals: [EventView]

    static let eventsPerProposal = 500

    init(growing real: ProposalDetail, admins: [MemberView], voters: Int, others: [UInt64], perFrame: Int, pool: Int) throws {
        let names = (1...voters).map { String(format: "v%05d", $0) }
        // MemberView is made by the engine only; its JSON form is the way in from outside.
        let listed: [[String: Any]] = names.map { ["name": $0, "role": "voter", "weight": 1, "key": String(repeating: "ab", count: 32)] }
        let json = try JSONSerialization.data(withJSONObject: listed)
        members = admins + (try JSONDecoder().decode([MemberView].self, from: json))
        identity = names[voters - 1]
        var votes: [VoteRecord] = []
        var pending: [String] = []
        var count: [Choice: UInt64] = [:]
        // Every other voter has voted, approve, reject and abstain in turn, so the board mixes all four glyphs.
        for (i, name) in names.enumerated() {
            if i % 2 == 0 {
                let choice = Choice.allCases[(i / 2) % 3]
                votes.append(VoteRecord(voter: name, choice: choice.rawValue, weight: 1))
                count[choice, default: 0] += 1
            } else {
                pending.append(name)
            }
        }
        let tally = TallyView(approve: count[.approve, default: 0], reject: count[.reject, default: 0],
                              abstain: count[.abstain, default: 0], voted: UInt64(votes.count), total: UInt64(voters))
        var height: UInt64 = 2_000
        func vote(_ p: UInt64, _ voter: String, _ n: Int) -> [EventView] {
            height += 1
            let choice = Choice.allCases[n % 3]
            let a = UInt64(n / 3 + 1), r = UInt64((n + 2) / 3), ab = UInt64((n + 1) / 3)
            return [.governance(.voteCast(proposal: p, voter: voter, choice: choice, weight: 1, request: UInt64(n))),
                    .governance(.tallyUpdated(proposal: p, approve: a, reject: r, abstain: ab, total: UInt64(voters)))]
                .map { EventView(RecordedEvent(height: height, time: 1_893_456_000_000 + height * 1000, tx: nil, event: $0)) }
        }
        let history = (0..<Self.eventsPerProposal / 2).flatMap { vote(real.id, votes[votes.count - 250 + $0].voter, $0) }
        detail = ProposalDetail(
            id: real.id, operation: real.operation, target: real.target, summary: real.summary, proposer: real.proposer,
            status: real.status, submitted: real.submitted, deadline: real.deadline, tally: tally, quorum: real.quorum,
            threshold: real.threshold, quorumReached: false, votes: votes, pending: pending, permission: real.permission,
            events: history)
        // Two thirds of the arriving votes are on the selected proposal, the rest on the other open ones.
        var arriving: [EventView] = []
        var n = 0
        while arriving.count < perFrame * pool {
            let p = n % 3 == 2 ? others[n % others.count] : real.id
            arriving += vote(p, pending[n % pending.count], votes.count + n)
            n += 1
        }
        arrivals = arriving
    }

    /// A snapshot as a fetch delivers it: new arrays, so taking it in releases the previous one's.
    func snapshot(_ base: ConsoleSnapshot) -> ConsoleSnapshot {
        let d = detail
        var s = base
        s.members = members.map { $0 }
        s.detail = ProposalDetail(
            id: d.id, operation: d.operation, target: d.target, summary: d.summary, proposer: d.proposer, status: d.status,
            submitted: d.submitted, deadline: d.deadline, tally: d.tally, quorum: d.quorum, threshold: d.threshold,
            quorumReached: d.quorumReached, votes: d.votes.map { $0 }, pending: d.pending.map { $0 }, permission: d.permission,
            events: d.events.map { $0 })
        return s
    }
}
