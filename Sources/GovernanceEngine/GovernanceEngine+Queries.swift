import ChainModel
import ChainPrimitives
import Foundation
import Governance
import GovernanceAPI
import Rollout
import ServicePlatform

// Read-only views of the chain. None of them changes the ledger; statuses and permission states are
// computed at the current time, so a deadline that passed shows even before a block records it.
extension GovernanceEngine {
    public func proposals(status: ProposalStatus? = nil) async -> [ProposalSummary] {
        let now = await platform.now()
        return await platform.state().management.proposals
            .filter { status == nil || $0.status(at: now) == status }
            .map { ProposalSummary($0, now: now) }
    }

    public func proposal(_ id: UInt64) async throws -> ProposalDetail {
        let state = await platform.state()
        guard let p = state.management.proposal(id) else { throw GovernanceError.unknownProposal(id) }
        let now = await platform.now()
        let votes = p.electorate.seats.compactMap { seat in
            p.vote(of: seat.name).map { VoteRecord(voter: seat.name, choice: $0.rawValue, weight: seat.weight) }
        }
        let permission: PermissionView
        if let perm = state.management.permissions[id] {
            permission = PermissionView(state: perm.state(at: now).rawValue, holder: perm.holder, expires: Date(milliseconds: perm.expiresAt))
        } else {
            permission = PermissionView(state: PermissionState.none.rawValue, holder: nil, expires: nil)
        }
        return ProposalDetail(
            id: p.id, operation: p.operation.kind.rawValue, target: p.operation.target, summary: p.operation.summary,
            proposer: p.proposer, status: p.status(at: now).rawValue, submitted: Date(milliseconds: p.submittedAt),
            deadline: Date(milliseconds: p.deadline), tally: TallyView(p.tally, total: p.totalWeight),
            quorum: p.quorum, threshold: p.threshold,
            quorumReached: Tally.quorumReached(p.tally, total: p.totalWeight, quorum: p.quorum),
            votes: votes, pending: p.pending, permission: permission,
            events: try await events(proposal: id))
    }

    /// A proposal's recorded events, oldest first: its last 500. There is no call for all events at once,
    /// which on a long ledger would be gigabytes; `events(from:limit:)` reads them a page at a time.
    public func events(proposal: UInt64) async throws -> [EventView] {
        await registryCaughtUp()
        try await loadHistory(of: proposal)
        return (proposalEvents[proposal] ?? []).suffix(Self.eventsPerProposal).map(EventView.init)
    }

    /// One page of events, read from the ledger a block at a time (see `GovernanceBackend`).
    public func events(from height: UInt64, limit: Int) async throws -> EventPage {
        let head = await platform.state().height
        let wanted = min(max(limit, 1), EventPage.maxEvents)
        var events: [EventView] = []
        var next = height
        while next <= head, events.count < wanted, next - height < UInt64(EventPage.maxBlocks) {
            events += try await platform.block(at: next).events.map(EventView.init)
            next += 1
        }
        return EventPage(events: events, next: max(next, height), head: head)
    }

    /// Events recorded before this engine started are on disk only: read a proposal's once, from the
    /// block it was submitted in up to where the live index begins, one block at a time (a block can hold
    /// ten thousand transactions), and keep them. Callers asking at the same time share one read.
    func loadHistory(of id: UInt64) async throws {
        if historyLoaded.contains(id) { return }
        if let loading = historyLoading[id] { return try await loading.value }
        let loading = Task { try await readHistory(of: id) }
        historyLoading[id] = loading
        defer { historyLoading[id] = nil }
        try await loading.value
        historyLoaded.insert(id)
    }

    private func readHistory(of id: UInt64) async throws {
        guard let p = await platform.state().management.proposal(id), p.submittedHeight < indexedFrom else { return }
        var older: [RecordedEvent] = []
        for h in p.submittedHeight..<indexedFrom {
            older += try await platform.block(at: h).events.filter { $0.event.proposal == id }
            if older.count > 2 * Self.eventsPerProposal { older.removeFirst(older.count - Self.eventsPerProposal) }
        }
        var all = older + (proposalEvents[id] ?? [])
        if all.count > Self.eventsPerProposal { all.removeFirst(all.count - Self.eventsPerProposal) }
        proposalEvents[id] = all
    }

    /// How `name` voted on each proposal it voted on.
    public func votes(of name: String) async -> [UInt64: String] {
        var out: [UInt64: String] = [:]
        for p in await platform.state().management.proposals {
            if let c = p.vote(of: name) { out[p.id] = c.rawValue }
        }
        return out
    }

    public func status() async -> StatusView {
        let s = await platform.state()
        let now = await platform.now()
        var counts: [String: Int] = [:]
        for p in s.management.proposals { counts[p.status(at: now).rawValue, default: 0] += 1 }
        return StatusView(
            data: dataDirectory.path, height: s.height, head: s.head.hex, genesis: s.genesisHash.hex,
            time: Date(milliseconds: s.time), transactions: s.transactionCount,
            members: s.management.members.values.filter { $0.role != .node }.count, nodes: s.nodes.count,
            proposals: counts, policy: PolicyView(s.management.policy),
            contracts: s.management.contracts.values.sorted { $0.name < $1.name }.map { "\($0.name) \(Self.describe($0.routing))" },
            nodeRouting: Self.describe(s.management.nodeRouting), cluster: await cluster?.status())
    }

    static func describe(_ r: RoutingPolicy) -> String {
        guard let new = r.new, r.stage != .none else { return r.old }
        return "\(r.old)→\(new) \(r.stage.rawValue)" + (r.stage == .production ? " \(r.production)%" : "")
    }

    /// Admins first, then voters, each by name.
    public func members() async -> [MemberView] {
        let m = await platform.state().management
        return (m.members(role: .admin) + m.members(role: .voter)).map(MemberView.init)
    }

    public func nodes() async -> [NodeView] {
        await platform.state().nodes.map(NodeView.init)
    }

    public func blocks(from height: UInt64 = 0, limit: Int = 1000) async throws -> [BlockView] {
        try await platform.readBlocks(from: height, limit: max(0, limit)).map { b in
            BlockView(height: b.height, hash: b.hash.hex, previous: b.header.previous.hex, time: Date(milliseconds: b.header.time),
                      proposer: b.header.proposer,
                      transactions: zip(b.transactions, b.receipts).map { tx, r in
                          TransactionView(id: tx.id.hex, sender: tx.sender, nonce: tx.nonce, lane: tx.lane.rawValue,
                                          payload: tx.payload.summary, node: r.node, logic: r.logic)
                      },
                      events: b.events.count)
        }
    }

    public func initSummary() async -> InitResult {
        let s = await platform.state()
        return InitResult(data: dataDirectory.path, genesis: s.genesisHash.hex, height: s.height,
                          members: await members(), nodes: await nodes(), policy: PolicyView(s.management.policy))
    }

    /// The chain state itself, for callers that draw it.
    public func chainState() async -> ChainState { await platform.state() }
}
