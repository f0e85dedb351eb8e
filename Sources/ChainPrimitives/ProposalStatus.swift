/// Where a proposal is in its life: `voting` → `passed` | `rejected` | `expired`; `passed` → `executed`;
/// `canceled` by the proposer while voting.
public enum ProposalStatus: String, Sendable, CaseIterable, Codable {
    case voting, passed, rejected, expired, executed, canceled
}
