/// Who sent the transaction the contract is running, as the chain verified it.
public struct Caller: Sendable {
    public let name: String
    public let role: Role
    public let key: PublicKey
}

/// The block the contract is running in.
public struct BlockContext: Sendable {
    public let height: UInt64
    public let time: UInt64
}

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

    public static func execute(_ call: GovernanceCall, caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
        switch call {
        case let .propose(op): try propose(op, caller, ctx, &s)
        case let .vote(id, request, choice): try vote(id, request, choice, caller, ctx, &s)
        case let .execute(id): try executeOperation(id, caller, ctx, &s)
        case let .cancel(id): try cancel(id, caller, ctx, &s)
        }
    }

    static func propose(_ op: ManagementOperation, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
        guard caller.role == .admin else { throw .notAdmin(name: caller.name, role: caller.role) }
        try check(op, against: s)
        let electorate = s.electorate
        guard !electorate.isEmpty else { throw .noElectorate }
        guard s.openByProposer[caller.name, default: 0] < maxOpenProposalsPerProposer else {
            throw .tooManyOpenProposals(proposer: caller.name, limit: maxOpenProposalsPerProposer)
        }

        let id = UInt64(s.proposals.count + 1)
        var electors: [Elector] = []
        for m in electorate {
            electors.append(Elector(name: m.name, key: m.publicKey, weight: m.weight, request: s.nextRequest))
            s.nextRequest += 1
        }
        let p = Proposal(
            id: id, proposer: caller.name, proposerKey: caller.key, operation: op, submittedAt: ctx.time, submittedHeight: ctx.height,
            deadline: ctx.time + s.policy.votingPeriod, quorum: s.policy.quorum, threshold: s.policy.threshold,
            permissionTTL: s.policy.permissionTTL, electorate: electors,
            totalWeight: electors.reduce(0) { $0 + $1.weight })
        s.proposals.append(p)
        s.open.insert(id)
        s.openByProposer[caller.name, default: 0] += 1

        var events: [GovernanceEvent] = [
            .proposalSubmitted(proposal: id, proposer: caller.name, operation: op.kind, target: op.target, deadline: p.deadline),
        ]
        events += electors.map { .voteRequested(proposal: id, voter: $0.name, weight: $0.weight, request: $0.request) }
        return events
    }

    static func vote(_ id: UInt64, _ request: UInt64, _ choice: Choice, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
        guard let p = s.proposal(id) else { throw .unknownProposal(id) }
        guard caller.role == .voter else { throw .notAVoter(name: caller.name, role: caller.role) }
        let status = p.status(at: ctx.time)
        guard status == .voting else { throw .votingClosed(proposal: id, status: status) }
        guard let elector = p.elector(caller.name), elector.key == caller.key else {
            throw .notElector(name: caller.name, proposal: id)
        }
        guard elector.request == request else { throw .wrongVoteRequest(proposal: id, request: request, voter: caller.name) }

        let index = Int(id - 1)
        // Incremental tally: take the voter's previous vote out, put the new one in. The last vote counts.
        if let previous = s.proposals[index].votes[caller.name] {
            s.proposals[index].tally[previous] -= elector.weight
        }
        s.proposals[index].votes[caller.name] = choice
        s.proposals[index].tally[choice] += elector.weight
        let t = s.proposals[index].tally
        var events: [GovernanceEvent] = [
            .voteCast(proposal: id, voter: caller.name, choice: choice, weight: elector.weight, request: request),
            .tallyUpdated(proposal: id, approve: t.approve, reject: t.reject, abstain: t.abstain, total: p.totalWeight),
        ]
        if let outcome = Tally.decided(t, total: p.totalWeight, quorum: p.quorum, threshold: p.threshold) {
            events += close(&s, id, outcome, ctx)
        }
        return events
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
    static func executeOperation(_ id: UInt64, _ caller: Caller, _ ctx: BlockContext, _ s: inout ManagementState) throws(GovernanceError) -> [GovernanceEvent] {
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
        try check(p.operation, against: s)

        apply(p.operation, &s)
        s.permissions[id]!.recordedState = .consumed
        s.livePermissions.remove(id)
        s.proposals[Int(id - 1)].recordedStatus = .executed
        return [
            .permissionConsumed(proposal: id, holder: caller.name),
            .operationExecuted(proposal: id, operation: p.operation.kind, target: p.operation.target),
        ]
    }

    // MARK: Operations

    /// Whether the operation could be applied to the state as it is: checked when proposed and again when executed.
    public static func check(_ op: ManagementOperation, against s: ManagementState) throws(GovernanceError) {
        switch op {
        case let .addMember(name, role, weight, key):
            if let reason = Names.validate(name) { throw .invalidName(reason) }
            guard s.members[name] == nil else { throw .memberExists(name) }
            guard role != .node else { throw .invalidName("a member's role must be voter or admin") }
            if role == .voter, weight < 1 || weight > Limits.maxWeight { throw .invalidWeight(weight) }
            if role == .admin, weight != 0 { throw .adminWeight }
            if let owner = s.keyOwners[key] { throw .keyInUse(owner: owner) }
            if s.retiredKeys.contains(key) { throw .keyRetired }
            guard s.members.count < Limits.maxMembers else { throw .tooManyMembers(limit: Limits.maxMembers) }
        case let .removeMember(name):
            guard let m = s.members[name], m.role != .node else { throw .unknownMember(name) }
            if m.role == .admin, s.members(role: .admin).count == 1 { throw .lastAdmin(name) }
            if m.role == .voter, s.members(role: .voter).count == 1 { throw .lastVoter(name) }
        case let .setPolicy(change):
            guard !change.isEmpty else { throw .emptyPolicyChange }
            if let problem = s.policy.applying(change).problem { throw .invalidPolicy(problem) }
        }
    }

    static func apply(_ op: ManagementOperation, _ s: inout ManagementState) {
        switch op {
        case let .addMember(name, role, weight, key):
            s.members[name] = Member(name: name, role: role, weight: weight, publicKey: key)
            s.keyOwners[key] = name
        case let .removeMember(name):
            if let m = s.members.removeValue(forKey: name) {
                // A removed member's key is never trusted again, even under a new name.
                s.keyOwners[m.publicKey] = nil
                s.retiredKeys.insert(m.publicKey)
            }
        case let .setPolicy(change):
            s.policy = s.policy.applying(change)
        }
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
