import ChainPrimitives
import Foundation
import Governance
import Rollout

// What the engine reports, shaped for people and for `--json`. Times are dates; the CLI prints ISO 8601.

public struct ProposalSummary: Codable, Sendable, Hashable {
    public let id: UInt64
    public let operation: String
    public let target: String
    public let summary: String
    public let status: String
    public let proposer: String
    public let submitted: Date
    public let deadline: Date
}

public struct TallyView: Codable, Sendable, Hashable {
    public let approve: UInt64
    public let reject: UInt64
    public let abstain: UInt64
    public let voted: UInt64
    public let total: UInt64

    public init(approve: UInt64, reject: UInt64, abstain: UInt64, voted: UInt64, total: UInt64) {
        self.approve = approve
        self.reject = reject
        self.abstain = abstain
        self.voted = voted
        self.total = total
    }
}

public struct VoteRecord: Codable, Sendable, Hashable {
    public let voter: String
    public let choice: String
    public let weight: UInt64

    package init(voter: String, choice: String, weight: UInt64) {
        self.voter = voter
        self.choice = choice
        self.weight = weight
    }
}

public struct PermissionView: Codable, Sendable, Hashable {
    public let state: String
    public let holder: String?
    public let expires: Date?

    package init(state: String, holder: String?, expires: Date?) {
        self.state = state
        self.holder = holder
        self.expires = expires
    }
}

public struct ProposalDetail: Codable, Sendable {
    public let id: UInt64
    public let operation: String
    public let target: String
    public let summary: String
    public let proposer: String
    public let status: String
    public let submitted: Date
    public let deadline: Date
    public let tally: TallyView
    /// Exact, so the console's marks and the CLI's verdict agree; JSON shows each as its number.
    public let quorum: Ratio
    public let threshold: Ratio
    public let quorumReached: Bool
    public let votes: [VoteRecord]
    public let pending: [String]
    public let permission: PermissionView
    public let events: [EventView]

    package init(id: UInt64, operation: String, target: String, summary: String, proposer: String, status: String,
                 submitted: Date, deadline: Date, tally: TallyView, quorum: Ratio, threshold: Ratio,
                 quorumReached: Bool, votes: [VoteRecord], pending: [String], permission: PermissionView,
                 events: [EventView]) {
        self.id = id
        self.operation = operation
        self.target = target
        self.summary = summary
        self.proposer = proposer
        self.status = status
        self.submitted = submitted
        self.deadline = deadline
        self.tally = tally
        self.quorum = quorum
        self.threshold = threshold
        self.quorumReached = quorumReached
        self.votes = votes
        self.pending = pending
        self.permission = permission
        self.events = events
    }
}

public struct VoteResult: Codable, Sendable {
    public let proposal: UInt64
    public let voter: String
    public let choice: String
    public let status: String
    public let tally: TallyView
    public let height: UInt64
    public let tx: String
}

public struct ActionResult: Codable, Sendable {
    public let proposal: UInt64
    public let operation: String
    public let target: String
    public let status: String
    public let by: String
    public let height: UInt64
    public let tx: String
}

public struct PolicyView: Codable, Sendable {
    public let quorum: Double
    public let threshold: Double
    public let votingPeriod: String
    public let permissionTTL: String

    package init(_ p: Policy) {
        quorum = p.quorum.value
        threshold = p.threshold.value
        votingPeriod = DurationText.format(p.votingPeriod)
        permissionTTL = DurationText.format(p.permissionTTL)
    }
}

public struct StatusView: Codable, Sendable {
    public let data: String
    public let height: UInt64
    public let head: String
    public let genesis: String
    public let time: Date
    public let transactions: UInt64
    public let members: Int
    public let nodes: Int
    public let proposals: [String: Int]
    public let policy: PolicyView
    /// Each contract as `name old[→new stage]`.
    public let contracts: [String]
    public let nodeRouting: String
    /// The engines this one keeps the ledger with, through etcd; nil for an engine on its own.
    public let cluster: ClusterView?

    package init(data: String, height: UInt64, head: String, genesis: String, time: Date, transactions: UInt64,
                 members: Int, nodes: Int, proposals: [String: Int], policy: PolicyView, contracts: [String],
                 nodeRouting: String, cluster: ClusterView? = nil) {
        self.cluster = cluster
        self.data = data
        self.height = height
        self.head = head
        self.genesis = genesis
        self.time = time
        self.transactions = transactions
        self.members = members
        self.nodes = nodes
        self.proposals = proposals
        self.policy = policy
        self.contracts = contracts
        self.nodeRouting = nodeRouting
    }
}

public struct MemberView: Codable, Sendable, Hashable {
    public let name: String
    public let role: String
    public let weight: UInt64
    public let key: String
}

public struct NodeView: Codable, Sendable, Hashable {
    public let name: String
    public let logic: String
    public let blocks: UInt64
    public let transactions: UInt64
    /// Share of contract calls this node fails on purpose (0 unless set with `node set-logic --fault-rate`).
    public let faultRate: Double
    /// False while the node is recorded down: node routing passes over it.
    public let online: Bool
}

public struct TransactionView: Codable, Sendable, Hashable {
    public let id: String
    public let sender: String
    public let nonce: UInt64
    public let lane: String
    public let payload: String
    public let node: String
    public let logic: String

    package init(id: String, sender: String, nonce: UInt64, lane: String, payload: String, node: String, logic: String) {
        self.id = id
        self.sender = sender
        self.nonce = nonce
        self.lane = lane
        self.payload = payload
        self.node = node
        self.logic = logic
    }
}

public struct BlockView: Codable, Sendable {
    public let height: UInt64
    public let hash: String
    public let previous: String
    public let time: Date
    public let proposer: String
    public let transactions: [TransactionView]
    public let events: Int

    package init(height: UInt64, hash: String, previous: String, time: Date, proposer: String,
                 transactions: [TransactionView], events: Int) {
        self.height = height
        self.hash = hash
        self.previous = previous
        self.time = time
        self.proposer = proposer
        self.transactions = transactions
        self.events = events
    }
}

public struct InitResult: Codable, Sendable {
    public let data: String
    public let genesis: String
    public let height: UInt64
    public let members: [MemberView]
    public let nodes: [NodeView]
    public let policy: PolicyView

    package init(data: String, genesis: String, height: UInt64, members: [MemberView], nodes: [NodeView],
                 policy: PolicyView) {
        self.data = data
        self.genesis = genesis
        self.height = height
        self.members = members
        self.nodes = nodes
        self.policy = policy
    }
}

extension TallyView {
    package init(_ c: TallyCounts, total: UInt64) {
        self.init(approve: c.approve, reject: c.reject, abstain: c.abstain, voted: c.voted, total: total)
    }

    public var counts: TallyCounts { TallyCounts(approve: approve, reject: reject, abstain: abstain) }

    /// The contract's own rules (`Tally`), in integers: voted weight against the quorum.
    public func quorumReached(_ quorum: Ratio) -> Bool { Tally.quorumReached(counts, total: total, quorum: quorum) }

    /// Approve among approve and reject against the threshold, as the contract decides it.
    public func approvalExceeds(_ threshold: Ratio) -> Bool { Tally.approvalExceeds(counts, threshold: threshold) }
}

/// A ratio in JSON is the number it stands for, like 0.5; read back to the nearest part per million,
/// which is the ratio that was written.
extension Ratio: Codable {
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Double.self)
        guard value >= 0, value <= 1, let ratio = Ratio(ppm: UInt64((value * Double(Ratio.denominator)).rounded())) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a fraction from 0 to 1"))
        }
        self = ratio
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

extension ProposalSummary {
    package init(_ p: Proposal, now: UInt64) {
        self.init(id: p.id, operation: p.operation.kind.rawValue, target: p.operation.target, summary: p.operation.summary,
                  status: p.status(at: now).rawValue, proposer: p.proposer,
                  submitted: Date(milliseconds: p.submittedAt), deadline: Date(milliseconds: p.deadline))
    }
}

extension MemberView {
    package init(_ m: Member) { self.init(name: m.name, role: m.role.rawValue, weight: m.weight, key: m.publicKey.hex) }
}

extension NodeView {
    package init(_ n: NodeRecord) {
        self.init(name: n.name, logic: n.logic, blocks: n.blocksProposed, transactions: n.transactionsHandled,
                  faultRate: Double(n.faultRate) / 1_000_000, online: n.online)
    }
}
