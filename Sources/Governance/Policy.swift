import ChainPrimitives
import Rollout

/// The consortium's governance parameters. A proposal snapshots them when it is submitted.
public struct Policy: Hashable, Sendable {
    public var quorum: Ratio
    public var threshold: Ratio
    public var votingPeriod: UInt64     // milliseconds
    public var permissionTTL: UInt64    // milliseconds
    /// When a new version's failures roll its upgrade back on their own.
    public var gate: HealthGate = .default

    public static let `default` = Policy(quorum: .half, threshold: .half, votingPeriod: 24 * 3_600_000, permissionTTL: 3_600_000)

    public init(quorum: Ratio, threshold: Ratio, votingPeriod: UInt64, permissionTTL: UInt64, gate: HealthGate = .default) {
        self.quorum = quorum
        self.threshold = threshold
        self.votingPeriod = votingPeriod
        self.permissionTTL = permissionTTL
        self.gate = gate
    }

    /// Why this policy cannot govern anything, or nil when it can.
    public var problem: String? {
        if quorum.ppm == 0 { return "quorum must be greater than 0 (for example 0.5)" }
        if threshold.ppm >= Ratio.denominator { return "threshold must be below 1, since a proposal passes when approvals exceed it" }
        for (name, d) in [("voting period", votingPeriod), ("permission lifetime", permissionTTL)] {
            if d < Limits.minDuration { return "\(name) must be at least 1s" }
            if d > Limits.maxDuration { return "\(name) must be at most 366d" }
        }
        if gate.minCalls < 1 || gate.minCalls > UInt64(RolloutStats.window) {
            return "the health gate's minimum calls must be 1 to \(RolloutStats.window), the statistics window"
        }
        return nil
    }

    public func applying(_ change: PolicyChange) -> Policy {
        var p = self
        if let q = change.quorum { p.quorum = q }
        if let t = change.threshold { p.threshold = t }
        if let v = change.votingPeriod { p.votingPeriod = v }
        if let ttl = change.permissionTTL { p.permissionTTL = ttl }
        if let m = change.gateMargin { p.gate.margin = m }
        if let n = change.gateMinCalls { p.gate.minCalls = n }
        return p
    }
}

/// The fields a `set-policy` operation changes; nil leaves a field as it is.
public struct PolicyChange: Hashable, Sendable {
    public var quorum: Ratio?
    public var threshold: Ratio?
    public var votingPeriod: UInt64?
    public var permissionTTL: UInt64?
    public var gateMargin: Ratio?
    public var gateMinCalls: UInt64?

    public init(quorum: Ratio? = nil, threshold: Ratio? = nil, votingPeriod: UInt64? = nil, permissionTTL: UInt64? = nil,
                gateMargin: Ratio? = nil, gateMinCalls: UInt64? = nil) {
        self.quorum = quorum
        self.threshold = threshold
        self.votingPeriod = votingPeriod
        self.permissionTTL = permissionTTL
        self.gateMargin = gateMargin
        self.gateMinCalls = gateMinCalls
    }

    public var isEmpty: Bool {
        quorum == nil && threshold == nil && votingPeriod == nil && permissionTTL == nil && gateMargin == nil && gateMinCalls == nil
    }

    public var summary: String {
        var parts: [String] = []
        if let q = quorum { parts.append("quorum=\(q)") }
        if let t = threshold { parts.append("threshold=\(t)") }
        if let v = votingPeriod { parts.append("voting-period=\(DurationText.format(v))") }
        if let p = permissionTTL { parts.append("permission-ttl=\(DurationText.format(p))") }
        if let m = gateMargin { parts.append("gate-margin=\(m)") }
        if let n = gateMinCalls { parts.append("gate-min-calls=\(n)") }
        return parts.joined(separator: " ")
    }
}

extension Policy: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u64(quorum.ppm); w.u64(threshold.ppm); w.u64(votingPeriod); w.u64(permissionTTL)
        w.u64(gate.margin.ppm); w.u64(gate.minCalls)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        guard let q = Ratio(ppm: try r.u64()), let t = Ratio(ppm: try r.u64()) else { throw DecodingFailure("ratio above 1") }
        let period = try r.u64(), ttl = try r.u64()
        guard let margin = Ratio(ppm: try r.u64()) else { throw DecodingFailure("ratio above 1") }
        self.init(quorum: q, threshold: t, votingPeriod: period, permissionTTL: ttl, gate: HealthGate(margin: margin, minCalls: try r.u64()))
    }
}

extension PolicyChange: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.optional(quorum) { $0.u64($1.ppm) }
        w.optional(threshold) { $0.u64($1.ppm) }
        w.optional(votingPeriod) { $0.u64($1) }
        w.optional(permissionTTL) { $0.u64($1) }
        w.optional(gateMargin) { $0.u64($1.ppm) }
        w.optional(gateMinCalls) { $0.u64($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        func ratio(_ r: inout ByteReader) throws(DecodingFailure) -> Ratio {
            guard let v = Ratio(ppm: try r.u64()) else { throw DecodingFailure("ratio above 1") }
            return v
        }
        quorum = try r.optional(ratio)
        threshold = try r.optional(ratio)
        votingPeriod = try r.optional { r throws(DecodingFailure) in try r.u64() }
        permissionTTL = try r.optional { r throws(DecodingFailure) in try r.u64() }
        gateMargin = try r.optional(ratio)
        gateMinCalls = try r.optional { r throws(DecodingFailure) in try r.u64() }
    }
}
