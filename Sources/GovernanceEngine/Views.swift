import EmbeddedChain
import Foundation

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
}

public struct PermissionView: Codable, Sendable, Hashable {
    public let state: String
    public let holder: String?
    public let expires: Date?
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

    init(_ p: Policy) {
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
}

public struct TransactionView: Codable, Sendable, Hashable {
    public let id: String
    public let sender: String
    public let nonce: UInt64
    public let lane: String
    public let payload: String
    public let node: String
    public let logic: String
}

public struct BlockView: Codable, Sendable {
    public let height: UInt64
    public let hash: String
    public let previous: String
    public let time: Date
    public let proposer: String
    public let transactions: [TransactionView]
    public let events: Int
}

public struct InitResult: Codable, Sendable {
    public let data: String
    public let genesis: String
    public let height: UInt64
    public let members: [MemberView]
    public let nodes: [NodeView]
    public let policy: PolicyView
}

/// An event with its type, where it happened, and its own fields at the top level.
public struct EventView: Codable, Sendable, Hashable {
    /// The typed event; `type`, `proposal` and `fields` are its names for people and `--json`.
    public let event: ChainEvent
    public let type: String
    public let height: UInt64
    public let time: Date
    public let tx: String?
    public let proposal: UInt64?
    public let fields: [Field]

    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: EventValue
    }

    public init(_ e: RecordedEvent) {
        event = e.event
        type = e.event.name
        height = e.height
        time = Date(milliseconds: e.time)
        tx = e.tx?.hex
        proposal = e.event.proposal
        fields = e.event.fields.map { Field(name: $0.0, value: $0.1) }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Set in an encoder's and a decoder's `userInfo` to carry events between processes as the typed
    /// event itself, which the flat form people read (and `--json` prints) cannot be read back into.
    public static let wireFormat = CodingUserInfoKey(rawValue: "govconsole.wire")!

    /// The typed event in its canonical binary form: the receiver gets the very case that was recorded.
    private struct Wire: Codable {
        let height: UInt64
        let time: UInt64
        let tx: String?
        let event: Data
    }

    /// Reads the wire form only; the flat form is for people.
    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        var reader = ByteReader(Array(w.event))
        let event: ChainEvent
        do { event = try ChainEvent(from: &reader) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "event: \(error)"))
        }
        self.init(RecordedEvent(height: w.height, time: w.time, tx: try w.tx.map { hex in
            guard let h = Hash256(hex: hex) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "tx is not a 64-digit hex hash"))
            }
            return h
        }, event: event))
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[Self.wireFormat] != nil {
            var w = ByteWriter()
            event.encode(to: &w)
            try Wire(height: height, time: UInt64((time.timeIntervalSince1970 * 1000).rounded()), tx: tx, event: Data(w.bytes)).encode(to: encoder)
            return
        }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: Key("type"))
        try c.encode(height, forKey: Key("height"))
        try c.encode(time, forKey: Key("time"))
        try c.encodeIfPresent(tx, forKey: Key("tx"))
        for f in fields {
            switch f.value {
            case let .int(v): try c.encode(v, forKey: Key(f.name))
            case let .text(v): try c.encode(v, forKey: Key(f.name))
            case let .time(v): try c.encode(Date(milliseconds: v), forKey: Key(f.name))
            }
        }
    }
}

extension Date {
    public init(milliseconds: UInt64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

extension TallyView {
    init(_ c: TallyCounts, total: UInt64) {
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
    init(_ p: Proposal, now: UInt64) {
        self.init(id: p.id, operation: p.operation.kind.rawValue, target: p.operation.target, summary: p.operation.summary,
                  status: p.status(at: now).rawValue, proposer: p.proposer,
                  submitted: Date(milliseconds: p.submittedAt), deadline: Date(milliseconds: p.deadline))
    }
}

extension MemberView {
    init(_ m: Member) { self.init(name: m.name, role: m.role.rawValue, weight: m.weight, key: m.publicKey.hex) }
}

extension NodeView {
    init(_ n: NodeRecord) {
        self.init(name: n.name, logic: n.logic, blocks: n.blocksProposed, transactions: n.transactionsHandled,
                  faultRate: Double(n.faultRate) / 1_000_000)
    }
}
