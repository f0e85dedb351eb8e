/// Where a proposal is in its life: `voting` → `passed` | `rejected` | `expired`; `passed` → `executed`;
/// `canceled` by the proposer while voting.
public enum ProposalStatus: String, Sendable, CaseIterable, Codable {
    case voting, passed, rejected, expired, executed, canceled

    public var isOpen: Bool { self == .voting }
}

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
    public let electorate: [Elector]
    public let totalWeight: UInt64
    public internal(set) var votes: [String: Choice] = [:]
    public internal(set) var tally = TallyCounts()
    public internal(set) var recordedStatus: ProposalStatus = .voting
    public internal(set) var closedAt: UInt64?

    public func elector(_ name: String) -> Elector? {
        electorate.first { $0.name == name }
    }

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

    /// Electors who have not voted, in electorate order.
    public var pending: [String] { electorate.map(\.name).filter { votes[$0] == nil } }
}
