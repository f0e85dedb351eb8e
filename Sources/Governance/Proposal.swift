import ChainPrimitives

/// A proposal with its snapshot of the policy and the electorate at submission.
public struct Proposal: Hashable, Sendable {
    public let id: UInt64
    public let proposer: String
    /// The proposer's key when it proposed: a later admin reusing the name does not inherit the proposal.
    public let proposerKey: PublicKey
    public let operation: ManagementOperation
    public let submittedAt: UInt64
    public let submittedHeight: UInt64
    public let deadline: UInt64
    public let quorum: Ratio
    public let threshold: Ratio
    public let permissionTTL: UInt64
    /// Who may vote, snapshotted at submission. Proposals made under the same membership share one copy.
    public let electorate: Electorate
    /// The vote request addressed to elector `i` has id `firstRequest + i`.
    public let firstRequest: UInt64
    /// Each elector's last vote by electorate index: 0 for none, else its choice's tag + 1. One byte per
    /// elector keeps a 10,000-member vote small and every vote O(1).
    var ballots: [UInt8]
    public package(set) var tally = TallyCounts()
    public package(set) var recordedStatus: ProposalStatus = .voting
    public package(set) var closedAt: UInt64?

    public var totalWeight: UInt64 { electorate.totalWeight }

    public func elector(_ name: String) -> Elector? {
        guard let i = electorate.index[name] else { return nil }
        return elector(at: i)
    }

    func elector(at i: Int) -> Elector {
        let seat = electorate.seats[i]
        return Elector(name: seat.name, key: seat.key, weight: seat.weight, request: firstRequest + UInt64(i))
    }

    /// The vote `name` cast last, if any.
    public func vote(of name: String) -> Choice? {
        electorate.index[name].flatMap { ballot(at: $0) }
    }

    func ballot(at i: Int) -> Choice? { ballots[i] == 0 ? nil : try? Choice(tag: ballots[i] - 1) }

    /// Every vote cast, by voter. Builds a dictionary: for queries, not for the vote path.
    public var votes: [String: Choice] {
        var out: [String: Choice] = [:]
        for i in ballots.indices { if let c = ballot(at: i) { out[electorate.seats[i].name] = c } }
        return out
    }

    /// Electors who have not voted, in electorate order.
    public var pending: [String] { ballots.indices.filter { ballots[$0] == 0 }.map { electorate.seats[$0].name } }

    /// The status at a moment, as OpenZeppelin Governor's `state()`: a vote whose deadline has passed is
    /// over even before the next block records it.
    public func status(at now: UInt64) -> ProposalStatus {
        guard recordedStatus == .voting, now >= deadline else { return recordedStatus }
        switch Tally.outcome(tally, total: totalWeight, quorum: quorum, threshold: threshold) {
        case .passed: return .passed
        case .rejected: return .rejected
        case .expired: return .expired
        }
    }
}

/// The voters of a proposal, with their keys and weights as they were at submission, and an index by
/// name. A value type whose storage is shared by every proposal made under the same membership.
public struct Electorate: Hashable, Sendable {
    public struct Seat: Hashable, Sendable {
        public let name: String
        public let key: PublicKey
        public let weight: UInt64
    }

    public let seats: [Seat]
    let index: [String: Int]
    public let totalWeight: UInt64

    init(_ seats: [Seat]) {
        self.seats = seats
        index = Dictionary(uniqueKeysWithValues: seats.enumerated().map { ($1.name, $0) })
        totalWeight = seats.reduce(0) { $0 + $1.weight }
    }

    public var count: Int { seats.count }

    public static func == (a: Electorate, b: Electorate) -> Bool { a.seats == b.seats }
    public func hash(into h: inout Hasher) { h.combine(seats.count); h.combine(totalWeight) }
}
