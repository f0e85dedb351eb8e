import ChainPrimitives

/// Where a canary rollout stands (claims 5 and 7): nothing yet, pre-release test, gray test, production.
public enum RolloutStage: String, Sendable, CaseIterable, Codable, Comparable {
    case none, prerelease, gray, production

    var rank: Int { RolloutStage.allCases.firstIndex(of: self)! }
    public static func < (a: RolloutStage, b: RolloutStage) -> Bool { a.rank < b.rank }

    package var tag: UInt8 { UInt8(rank) }
    package init(tag: UInt8) throws(DecodingFailure) {
        guard Int(tag) < RolloutStage.allCases.count else { throw DecodingFailure("unknown stage tag \(tag)") }
        self = RolloutStage.allCases[Int(tag)]
    }
}

/// A routing policy between an old and a new version, per lane: the percent of that lane's transactions
/// routed to the new version. Used for a contract's versions (claim 4) and for the nodes' logic (claim 6).
/// Which way a transaction goes is a function of its id, so every node routes it the same way.
public struct RoutingPolicy: Hashable, Sendable {
    public package(set) var old: String
    public package(set) var new: String?
    public package(set) var stage: RolloutStage = .none
    public package(set) var prerelease: UInt8 = 0
    public package(set) var gray: UInt8 = 0
    public package(set) var production: UInt8 = 0
    /// The passed proposal that set the current stage; it pre-authorises the health gate's rollback.
    public package(set) var proposal: UInt64 = 0

    public init(old: String) { self.old = old }

    /// A policy as a `RoutingChanged` event records it, for whoever follows the chain by its events.
    public init(old: String, new: String?, stage: RolloutStage, prerelease: UInt8, gray: UInt8, production: UInt8, proposal: UInt64) {
        self.old = old
        self.new = new
        self.stage = stage
        self.prerelease = prerelease
        self.gray = gray
        self.production = production
        self.proposal = proposal
    }

    public func percent(_ lane: Lane) -> UInt8 {
        switch lane {
        case .prerelease: prerelease
        case .gray: gray
        case .production: production
        }
    }

    /// 0–99 from the transaction id: the same transaction lands in the same bucket everywhere.
    public static func bucket(_ id: Hash256) -> UInt64 {
        id.bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 100
    }

    public func routesToNew(_ id: Hash256, lane: Lane) -> Bool {
        RoutingPolicy.bucket(id) < UInt64(percent(lane))
    }

    public func version(for id: Hash256, lane: Lane) -> String {
        if let new, routesToNew(id, lane: lane) { return new }
        return old
    }

    /// A rollout is finished once production takes all of the new version; the next one starts from it.
    public var isComplete: Bool { stage == .production && production == 100 }

    /// The policy after executing the next stage toward `version`, or the reason that stage is out of order.
    public func advancing(to version: String, stage next: RolloutStage, percent: UInt8, target: String) throws(GovernanceError) -> RoutingPolicy {
        var p = self
        if isComplete, let new {
            // The finished rollout's version is now the one in service.
            p = RoutingPolicy(old: new)
        }
        guard version != p.old else { throw .stageOutOfOrder(target: target, reason: "\(version) is already the version in service") }
        if p.stage != .none, p.new != version {
            throw .stageOutOfOrder(target: target, reason: "a rollout to \(p.new ?? "?") is under way; finish it or roll it back first")
        }
        switch next {
        case .none:
            throw .stageOutOfOrder(target: target, reason: "name a stage: prerelease, gray or production")
        case .prerelease:
            guard p.stage == .none else { throw .stageOutOfOrder(target: target, reason: "\(version) is already in \(p.stage.rawValue); propose the next stage") }
            p.new = version
            p.stage = .prerelease
            p.prerelease = 100
        case .gray:
            guard p.stage >= .prerelease else { throw .stageOutOfOrder(target: target, reason: "the gray stage needs the pre-release stage of \(version) first") }
            guard p.stage == .prerelease else { throw .stageOutOfOrder(target: target, reason: "\(version) is already in \(p.stage.rawValue); propose the next stage") }
            p.stage = .gray
            p.gray = 100
        case .production:
            guard p.stage >= .gray else { throw .stageOutOfOrder(target: target, reason: "the production stage needs the gray stage of \(version) first") }
            guard (1...100).contains(percent) else { throw .stageOutOfOrder(target: target, reason: "production percent must be 1 to 100") }
            guard percent > p.production else {
                throw .stageOutOfOrder(target: target, reason: "production already routes \(p.production)% to \(version); a later stage may only raise it")
            }
            p.stage = .production
            p.production = percent
        }
        return p
    }

    /// Every lane back on the old version.
    public func rolledBack(target: String) throws(GovernanceError) -> RoutingPolicy {
        guard stage != .none else { throw .nothingToRollBack(target: target) }
        return RoutingPolicy(old: old)
    }
}

extension RoutingPolicy: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(old); w.optional(new) { $0.string($1) }; w.u8(stage.tag)
        w.u8(prerelease); w.u8(gray); w.u8(production); w.u64(proposal)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        old = try r.string(limit: Limits.maxNameBytes)
        new = try r.optional { r throws(DecodingFailure) in try r.string(limit: Limits.maxNameBytes) }
        stage = try RolloutStage(tag: try r.u8())
        prerelease = try r.u8(); gray = try r.u8(); production = try r.u8(); proposal = try r.u64()
        guard [prerelease, gray, production].allSatisfy({ $0 <= 100 }) else { throw DecodingFailure("percent above 100") }
    }
}
