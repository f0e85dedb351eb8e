import ChainPrimitives

/// Weighted vote counts of one proposal.
public struct TallyCounts: Hashable, Sendable {
    public var approve: UInt64 = 0
    public var reject: UInt64 = 0
    public var abstain: UInt64 = 0

    public init(approve: UInt64 = 0, reject: UInt64 = 0, abstain: UInt64 = 0) {
        self.approve = approve
        self.reject = reject
        self.abstain = abstain
    }

    public var voted: UInt64 { approve + reject + abstain }

    public subscript(choice: Choice) -> UInt64 {
        get {
            switch choice {
            case .approve: approve
            case .reject: reject
            case .abstain: abstain
            }
        }
        set {
            switch choice {
            case .approve: approve = newValue
            case .reject: reject = newValue
            case .abstain: abstain = newValue
            }
        }
    }
}

/// How a closed vote ended.
public enum TallyOutcome: String, Sendable {
    case passed, rejected, expired
}

/// The tally as pure functions of votes and parameters, as in Cosmos x/gov's keeper/tally.go.
///
/// quorum: voted weight / total weight ≥ quorum (abstain counts here);
/// pass:   approve / (approve + reject) > threshold (abstain does not count here).
public enum Tally {
    /// Folds the last vote of each voter, so many votes in one block never conflict.
    public static func counts(votes: [String: Choice], weights: [String: UInt64]) -> TallyCounts {
        var c = TallyCounts()
        for (voter, choice) in votes {
            c[choice] += weights[voter] ?? 0
        }
        return c
    }

    public static func quorumReached(_ c: TallyCounts, total: UInt64, quorum: Ratio) -> Bool {
        quorum.isMet(part: c.voted, of: total)
    }

    public static func approvalExceeds(_ c: TallyCounts, threshold: Ratio) -> Bool {
        threshold.isExceeded(part: c.approve, of: c.approve + c.reject)
    }

    /// The result once voting is over.
    public static func outcome(_ c: TallyCounts, total: UInt64, quorum: Ratio, threshold: Ratio) -> TallyOutcome {
        guard quorumReached(c, total: total, quorum: quorum) else { return .expired }
        return approvalExceeds(c, threshold: threshold) ? .passed : .rejected
    }

    /// The result if no vote still to come can change it, else nil. Voters who already voted are held
    /// to their vote: closing ends voting, so only the weight not yet cast can move the result.
    public static func decided(_ c: TallyCounts, total: UInt64, quorum: Ratio, threshold: Ratio) -> TallyOutcome? {
        let remaining = total - min(total, c.voted)
        guard quorumReached(c, total: total, quorum: quorum) else {
            // Quorum could still be reached unless even every remaining vote falls short.
            return quorum.isMet(part: c.voted + remaining, of: total) ? nil : .expired
        }
        let worst = TallyCounts(approve: c.approve, reject: c.reject + remaining, abstain: c.abstain)
        if approvalExceeds(worst, threshold: threshold) { return .passed }
        let best = TallyCounts(approve: c.approve + remaining, reject: c.reject, abstain: c.abstain)
        if !approvalExceeds(best, threshold: threshold) { return .rejected }
        return nil
    }
}
