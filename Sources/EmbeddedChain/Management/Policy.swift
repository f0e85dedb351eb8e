/// The consortium's governance parameters. A proposal snapshots them when it is submitted.
public struct Policy: Hashable, Sendable {
    public var quorum: Ratio
    public var threshold: Ratio
    public var votingPeriod: UInt64     // milliseconds
    public var permissionTTL: UInt64    // milliseconds

    public static let `default` = Policy(quorum: .half, threshold: .half, votingPeriod: 24 * 3_600_000, permissionTTL: 3_600_000)

    public init(quorum: Ratio, threshold: Ratio, votingPeriod: UInt64, permissionTTL: UInt64) {
        self.quorum = quorum
        self.threshold = threshold
        self.votingPeriod = votingPeriod
        self.permissionTTL = permissionTTL
    }

    /// Why this policy cannot govern anything, or nil when it can.
    public var problem: String? {
        if quorum.ppm == 0 { return "quorum must be greater than 0 (for example 0.5)" }
        if threshold.ppm >= Ratio.denominator { return "threshold must be below 1, since a proposal passes when approvals exceed it" }
        for (name, d) in [("voting period", votingPeriod), ("permission lifetime", permissionTTL)] {
            if d < Limits.minDuration { return "\(name) must be at least 1s" }
            if d > Limits.maxDuration { return "\(name) must be at most 366d" }
        }
        return nil
    }

    public func applying(_ change: PolicyChange) -> Policy {
        var p = self
        if let q = change.quorum { p.quorum = q }
        if let t = change.threshold { p.threshold = t }
        if let v = change.votingPeriod { p.votingPeriod = v }
        if let ttl = change.permissionTTL { p.permissionTTL = ttl }
        return p
    }
}

/// The fields a `set-policy` operation changes; nil leaves a field as it is.
public struct PolicyChange: Hashable, Sendable {
    public var quorum: Ratio?
    public var threshold: Ratio?
    public var votingPeriod: UInt64?
    public var permissionTTL: UInt64?

    public init(quorum: Ratio? = nil, threshold: Ratio? = nil, votingPeriod: UInt64? = nil, permissionTTL: UInt64? = nil) {
        self.quorum = quorum
        self.threshold = threshold
        self.votingPeriod = votingPeriod
        self.permissionTTL = permissionTTL
    }

    public var isEmpty: Bool { quorum == nil && threshold == nil && votingPeriod == nil && permissionTTL == nil }

    public var summary: String {
        var parts: [String] = []
        if let q = quorum { parts.append("quorum=\(q)") }
        if let t = threshold { parts.append("threshold=\(t)") }
        if let v = votingPeriod { parts.append("voting-period=\(DurationText.format(v))") }
        if let p = permissionTTL { parts.append("permission-ttl=\(DurationText.format(p))") }
        return parts.joined(separator: " ")
    }
}

extension Policy: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u64(quorum.ppm); w.u64(threshold.ppm); w.u64(votingPeriod); w.u64(permissionTTL)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        guard let q = Ratio(ppm: try r.u64()), let t = Ratio(ppm: try r.u64()) else { throw DecodingFailure("ratio above 1") }
        self.init(quorum: q, threshold: t, votingPeriod: try r.u64(), permissionTTL: try r.u64())
    }
}

extension PolicyChange: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.optional(quorum) { $0.u64($1.ppm) }
        w.optional(threshold) { $0.u64($1.ppm) }
        w.optional(votingPeriod) { $0.u64($1) }
        w.optional(permissionTTL) { $0.u64($1) }
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
    }
}
