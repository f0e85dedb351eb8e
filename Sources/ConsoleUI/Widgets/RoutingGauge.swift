import ChainPrimitives
import Foundation
import GovernanceAPI

/// One routing target — a contract, or the node fleet — as the Routing pane and `govconsole routing`
/// both show it: the stage track, the share per lane, and each version's record. Pure: computed from
/// the routing view, drawn by each in its own medium.
public struct RoutingGauge: Sendable, Hashable {
    public struct LaneShare: Sendable, Hashable {
        public let lane: Lane
        /// The share routed to the new version, 0 to 100.
        public let newPercent: Int
        public var oldPercent: Int { 100 - newPercent }
    }

    public struct Version: Sendable, Hashable {
        public let name: String
        public let stats: VersionStats
        /// The recent window's failure rate, like `2.5%`.
        public var failureRate: String { String(format: "%.1f%%", stats.failureRate * 100) }
    }

    public static let stages = ["prerelease", "gray", "production"]

    public let title: String
    public let old: String
    public let new: String?
    public let stage: String
    public let lanes: [LaneShare]
    /// By version name.
    public let versions: [Version]
    public let isNodes: Bool

    init(title: String, old: String, new: String?, stage: String, lanes: LanesView, stats: [String: VersionStats], isNodes: Bool) {
        self.title = title
        self.old = old
        self.new = new
        self.stage = stage
        self.lanes = Lane.allCases.map { LaneShare(lane: $0, newPercent: Int(lanes[$0])) }
        versions = stats.sorted { $0.key < $1.key }.map { Version(name: $0.key, stats: $0.value) }
        self.isNodes = isNodes
    }

    /// Every contract, then the node fleet.
    public static func all(_ routing: RoutingView) -> [RoutingGauge] {
        routing.contracts.map {
            RoutingGauge(title: $0.name, old: $0.old, new: $0.new, stage: $0.stage, lanes: $0.lanes, stats: $0.stats, isNodes: false)
        } + [RoutingGauge(title: "nodes", old: routing.nodes.old, new: routing.nodes.new, stage: routing.nodes.stage,
                          lanes: routing.nodes.lanes, stats: routing.nodes.stats, isNodes: true)]
    }

    /// Whether stage `index` of `stages` has been reached.
    public func reached(_ index: Int) -> Bool { index <= (RoutingGauge.stages.firstIndex(of: stage) ?? -1) }
    public func isCurrent(_ index: Int) -> Bool { RoutingGauge.stages.firstIndex(of: stage) == index }

    /// The stage track as text: `● prerelease → ○ gray → ○ production`.
    public func track(ascii: Bool = false, short: Bool = false) -> String {
        RoutingGauge.stages.enumerated().map { i, s in
            (reached(i) ? (ascii ? "*" : "●") : (ascii ? "o" : "○")) + " " + (short ? String(s.prefix(4)) : s)
        }.joined(separator: ascii ? " > " : " → ")
    }

    /// A version's cost: mean fuel per call for a contract, mean processing time for nodes (nil when
    /// this process has not measured it).
    public func cost(_ v: Version) -> String? {
        isNodes ? v.stats.meanMicros.map { "\($0)µs" } : "fuel \(v.stats.meanFuel ?? 0)"
    }

    /// A gauge `width` cells wide: the old version's cells on the left, the new's on the right, rounded
    /// to the nearest cell.
    public static func cells(newPercent: Int, width: Int) -> (old: Int, new: Int) {
        let new = (max(0, min(100, newPercent)) * width + 50) / 100
        return (width - new, new)
    }

    /// The gauge as text: old `░` then new `█` (`-` and `#` in ASCII).
    public static func bar(newPercent: Int, width: Int, ascii: Bool = false) -> String {
        let (old, new) = cells(newPercent: newPercent, width: width)
        return String(repeating: ascii ? "-" : "░", count: old) + String(repeating: ascii ? "#" : "█", count: new)
    }
}
