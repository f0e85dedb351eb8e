import ChainPrimitives
import Rollout

/// The management contract: a native system contract at a reserved address (claims 1–2).
///
/// Every entry point checks everything before it changes anything, so a refused call leaves the state
/// exactly as it was and a dry run on a copy tells the caller the same error the chain would.
public enum ManagementContract {
    public static let address = "system.management"
    public static let maxOpenProposalsPerProposer = 100

    // MARK: Block boundary

    /// Closes votes whose deadline has passed and expires permissions, in id order so every node agrees.
    public static func beginBlock(_ s: inout ManagementState, _ ctx: BlockContext) -> [GovernanceEvent] {
        var events: [GovernanceEvent] = []
        for id in s.open.sorted() where ctx.time >= s.proposals[Int(id - 1)].deadline {
            let p = s.proposals[Int(id - 1)]
            let outcome = Tally.outcome(p.tally, total: p.totalWeight, quorum: p.quorum, threshold: p.threshold)
            events += close(&s, id, outcome, ctx)
        }
        for id in s.livePermissions.sorted() where ctx.time >= s.permissions[id]!.expiresAt {
            s.permissions[id]!.recordedState = .expired
            s.livePermissions.remove(id)
            events.append(.permissionExpired(proposal: id, holder: s.permissions[id]!.holder))
        }
        return events
    }

    /// Whether `beginBlock` at `ctx` would close or expire anything; cheap, and changes nothing.
    public static func hasDue(_ s: ManagementState, _ ctx: BlockContext) -> Bool {
        s.open.contains { ctx.time >= s.proposals[Int($0 - 1)].deadline }
            || s.livePermissions.contains { ctx.time >= s.permissions[$0]!.expiresAt }
    }

    // MARK: Calls

    public static func execute(_ call: GovernanceCall, caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState,
                               fleet: [NodeRecord], codeCheck: CodeCheck) throws(GovernanceError) -> [GovernanceEvent] {
        switch call {
        case let .propose(op): try propose(op, caller, ctx, &s, fleet, codeCheck)
        case let .vote(id, request, choice): try vote(id, request, choice, caller, ctx, &s)
        case let .execute(id): try executeOperation(id, caller, ctx, &s, fleet, codeCheck)
        case let .cancel(id): try cancel(id, caller, ctx, &s)
        }
    }

    static func propose(_ op: ManagementOperation, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState,
                        _ fleet: [NodeRecord], _ codeCheck: CodeCheck) throws(GovernanceError) -> [GovernanceEvent] {
        guard caller.role == .admin else { throw .notAdmin(name: caller.name, role: caller.role) }
        try check(op, against: s, fleet: fleet, codeCheck: codeCheck)
        let electorate = s.currentElectorate()
        guard electorate.count > 0 else { throw .noElectorate }
        guard s.openByProposer[caller.name, default: 0] < maxOpenProposalsPerProposer else {
            throw .tooManyOpenProposals(proposer: caller.name, limit: maxOpenProposalsPerProposer)
        }

        let id = UInt64(s.proposals.count + 1)
        let p = Proposal(
            id: id, proposer: caller.name, proposerKey: caller.key, operation: op, submittedAt: ctx.time, submittedHeight: ctx.height,
            deadline: ctx.time + s.policy.votingPeriod, quorum: s.policy.quorum, threshold: s.policy.threshold,
            permissionTTL: s.policy.permissionTTL, electorate: electorate, firstRequest: s.nextRequest,
            ballots: [UInt8](repeating: 0, count: electorate.count))
        s.nextRequest += UInt64(electorate.count)
        s.proposals.append(p)
        s.open.insert(id)
        s.openByProposer[caller.name, default: 0] += 1

        var events: [GovernanceEvent] = [
            .proposalSubmitted(proposal: id, proposer: caller.name, operation: op.kind, target: op.target, deadline: p.deadline),
        ]
        events.reserveCapacity(1 + electorate.count)
        for i in electorate.seats.indices {
            let e = p.elector(at: i)
            events.append(.voteRequested(proposal: id, voter: e.name, weight: e.weight, request: e.request))
        }
        return events
    }

    /// O(1) per vote: an index lookup, a one-byte ballot and an incremental tally. The proposal is
    /// changed in place and never copied, so a vote costs the same with ten voters or ten thousand.
    static func vote(_ id: UInt64, _ request: UInt64, _ choice: Choice, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
        let seat = try checkVote(id, request, caller, at: ctx.time, in: s)
        let index = Int(id - 1)
        let weight = s.proposals[index].electorate.seats[seat].weight

        // Incremental tally: take the voter's previous vote out, put the new one in. The last vote counts.
        if let previous = s.proposals[index].ballot(at: seat) {
            s.proposals[index].tally[previous] -= weight
        }
        s.proposals[index].ballots[seat] = choice.tag + 1
        s.proposals[index].tally[choice] += weight
        let t = s.proposals[index].tally
        let total = s.proposals[index].totalWeight
        var events: [GovernanceEvent] = [
            .voteCast(proposal: id, voter: caller.name, choice: choice, weight: weight, request: request),
            .tallyUpdated(proposal: id, approve: t.approve, reject: t.reject, abstain: t.abstain, total: total),
        ]
        if let outcome = Tally.decided(t, total: total, quorum: s.proposals[index].quorum, threshold: s.proposals[index].threshold) {
            events += close(&s, id, outcome, ctx)
        }
        return events
    }

    /// Every check a vote makes before it changes anything, read-only and O(1): the engine judges a vote
    /// request with it instead of a dry run on a copy of the state. Returns the voter's seat.
    public static func checkVote(_ id: UInt64, _ request: UInt64, _ caller: Caller, at time: UInt64, in s: ManagementState) throws(GovernanceError) -> Int {
        guard id >= 1, id <= UInt64(s.proposals.count) else { throw .unknownProposal(id) }
        let index = Int(id - 1)
        guard caller.role == .voter else { throw .notAVoter(name: caller.name, role: caller.role) }
        let status = s.proposals[index].status(at: time)
        guard status == .voting else { throw .votingClosed(proposal: id, status: status) }
        guard let seat = s.proposals[index].electorate.index[caller.name],
              s.proposals[index].electorate.seats[seat].key == caller.key else {
            throw .notElector(name: caller.name, proposal: id)
        }
        guard s.proposals[index].firstRequest + UInt64(seat) == request else {
            throw .wrongVoteRequest(proposal: id, request: request, voter: caller.name)
        }
        return seat
    }

    static func cancel(_ id: UInt64, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
        guard let p = s.proposal(id) else { throw .unknownProposal(id) }
        guard caller.role == .admin else { throw .notAdmin(name: caller.name, role: caller.role) }
        guard caller.name == p.proposer, caller.key == p.proposerKey else {
            throw .notProposer(proposal: id, proposer: p.proposer, caller: caller.name)
        }
        let status = p.status(at: ctx.time)
        guard status == .voting else { throw .votingClosed(proposal: id, status: status) }
        s.proposals[Int(id - 1)].recordedStatus = .canceled
        s.proposals[Int(id - 1)].closedAt = ctx.time
        s.open.remove(id)
        s.openByProposer[p.proposer, default: 1] -= 1
        return [.proposalCanceled(proposal: id, by: caller.name)]
    }

    /// Claim 2: the management request is carried out only with the permission the passed proposal granted.
    static func executeOperation(_ id: UInt64, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState,
                                 _ fleet: [NodeRecord], _ codeCheck: CodeCheck) throws(GovernanceError) -> [GovernanceEvent] {
        guard let p = s.proposal(id) else { throw .unknownProposal(id) }
        guard caller.role == .admin else { throw .notAdmin(name: caller.name, role: caller.role) }
        guard caller.name == p.proposer, caller.key == p.proposerKey else {
            throw .notProposer(proposal: id, proposer: p.proposer, caller: caller.name)
        }
        let status = p.status(at: ctx.time)
        if status == .executed { throw .alreadyExecuted(proposal: id) }
        guard status == .passed else { throw .notPassed(proposal: id, status: status) }
        guard let permission = s.permissions[id], permission.holder == caller.name,
              permission.operation == p.operation.kind, permission.target == p.operation.target else {
            throw .noPermission(proposal: id)
        }
        switch permission.state(at: ctx.time) {
        case .granted: break
        case .expired: throw .permissionExpired(proposal: id)
        case .consumed: throw .alreadyExecuted(proposal: id)
        case .none: throw .noPermission(proposal: id)
        }
        try check(p.operation, against: s, fleet: fleet, codeCheck: codeCheck)

        let effects = apply(p.operation, proposal: id, &s)
        s.permissions[id]!.recordedState = .consumed
        s.livePermissions.remove(id)
        s.proposals[Int(id - 1)].recordedStatus = .executed
        return [
            .permissionConsumed(proposal: id, holder: caller.name),
            .operationExecuted(proposal: id, operation: p.operation.kind, target: p.operation.target),
        ] + effects
    }

    // MARK: Closing

    private static func close(_ s: inout ManagementState, _ id: UInt64, _ outcome: TallyOutcome, _ ctx: BlockContext) -> [GovernanceEvent] {
        let index = Int(id - 1)
        let p = s.proposals[index]
        s.open.remove(id)
        s.openByProposer[p.proposer, default: 1] -= 1
        s.proposals[index].closedAt = ctx.time
        switch outcome {
        case .rejected:
            s.proposals[index].recordedStatus = .rejected
            return [.proposalRejected(proposal: id)]
        case .expired:
            s.proposals[index].recordedStatus = .expired
            return [.proposalExpired(proposal: id)]
        case .passed:
            s.proposals[index].recordedStatus = .passed
            let permission = grantPermission(for: p, at: ctx.time)
            s.permissions[id] = permission
            s.livePermissions.insert(id)
            return [
                .proposalPassed(proposal: id),
                .permissionGranted(proposal: id, holder: permission.holder, operation: permission.operation,
                                   target: permission.target, expires: permission.expiresAt),
            ]
        }
    }

    static func grantPermission(for p: Proposal, at time: UInt64) -> Permission {
        Permission(proposal: p.id, holder: p.proposer, operation: p.operation.kind, target: p.operation.target,
                   grantedAt: time, expiresAt: time + p.permissionTTL, recordedState: .granted)
    }
}
