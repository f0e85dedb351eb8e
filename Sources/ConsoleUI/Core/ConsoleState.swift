import Foundation
import GovernanceAPI

/// The panes of the console, in Tab order. The cluster pane exists only for an engine in a cluster
/// (`ConsoleState.panes`).
public enum Pane: String, CaseIterable, Sendable {
    case proposals, feed, routing, nodes, cluster

    public var title: String {
        switch self {
        case .proposals: "Proposals"
        case .feed: "Live events"
        case .routing: "Routing"
        case .nodes: "Nodes"
        case .cluster: "Cluster"
        }
    }
}

/// One line of the live event feed. Its text is made from the event's fields when a frame shows the line:
/// the feed takes in thousands of events a second and shows a screenful.
public struct FeedEntry: Hashable, Sendable {
    public let height: UInt64
    public let time: Date
    public let type: String
    public let role: ThemeRole
    public let proposal: UInt64?
    let fields: [EventView.Field]
}

/// A modal layer over the panes.
public enum Overlay: Hashable, Sendable {
    case help
    /// `:` — a CLI command line being typed.
    case command(String)
    /// `/` — a filter for the proposals table being typed.
    case filter(String)
    case identities(selected: Int)
    case propose(ProposeForm)
}

/// The single source of truth of the console (Bubble Tea's model).
public struct ConsoleState: Sendable {
    public static let feedLimit = 1000
    public static let historyLimit = 120

    public var width: Int
    public var height: Int
    public var identity: String
    public var role: String = ""
    /// Where the engine runs: "embedded", `servingMode` when it also serves the data directory's other
    /// terminals, or "service ADDRESS" when attached to another process's service.
    public var mode: String = "embedded"
    public static let servingMode = "embedded · serving"
    /// False while a service connection is down and being redialled.
    public var connected = true
    public var theme: String
    public var themes: [String]
    public var themeWarning: String?
    public var monochrome: Bool

    public var focus: Pane = .proposals
    public var snapshot: ConsoleSnapshot?
    public var selected: UInt64?
    public var filter: String = ""
    /// Tallies as the latest `TallyUpdated` events report them, ahead of the next snapshot.
    public var tallies: [UInt64: TallyView] = [:]

    public var feed: [FeedEntry] = []
    public var feedPaused = false
    /// Lines scrolled back from the newest.
    public var feedScroll = 0
    public var unseen = 0

    public var routingScroll = 0
    public var nodesScroll = 0
    /// The engine row selected in the cluster pane, by node: a live update that adds or reorders engines
    /// leaves it on the same engine.
    public var clusterSelected: String?
    /// When the last cluster status was asked for, so a tick asks again only after `clusterRefreshMillis`.
    var clusterAsked: UInt64?
    /// The console's clock when the cluster's view last arrived: with etcd down a read can take 20 s, and
    /// the pane says how old what it shows is.
    public var clusterRead: UInt64?

    /// Blocks and transactions per second, one sample per tick.
    public var blockRate: [Double] = []
    public var txRate: [Double] = []
    var lastHeight: UInt64?
    var lastTransactions: UInt64?
    var lastTick: UInt64?
    public var now: UInt64 = 0

    /// The newest proposal that asked this identity for a vote not yet given. It raises a notice; it never
    /// moves the selection, so a key press always acts on the proposal on screen.
    public var voteRequest: UInt64?
    /// Set while a proposal this console submitted is on its way: its `ProposalSubmitted` selects it.
    public var proposing = false
    public var statusLine: String?
    public var statusIsError = false
    public var overlay: Overlay?
    public var trafficOn = true
    public var quitting = false

    public init(width: Int, height: Int, identity: String, theme: String = "default", themes: [String] = ["default"],
                monochrome: Bool = false) {
        self.width = width
        self.height = height
        self.identity = identity
        self.theme = theme
        self.themes = themes
        self.monochrome = monochrome
    }

    /// The cluster this engine orders through, if it is in one.
    public var cluster: ClusterView? { snapshot?.status.cluster }

    /// The panes Tab and 1–5 reach: the cluster pane only when there is a cluster.
    public var panes: [Pane] { cluster == nil ? Pane.allCases.filter { $0 != .cluster } : Pane.allCases }

    /// The proposals table as shown: newest first, filtered.
    public var shownProposals: ShownProposals { ShownProposals(snapshot?.proposals ?? [], filter: filter) }

    public var visibleProposals: [ProposalSummary] { Array(shownProposals) }

    public var selectedIndex: Int? {
        guard let selected else { return nil }
        return shownProposals.row(of: selected)
    }

    public var selectedSummary: ProposalSummary? {
        let shown = shownProposals
        return selected.flatMap { shown.row(of: $0) }.map { shown[$0] }
    }

    /// The vote-request notice. The y/n/a hint appears only when the requesting proposal is the one on
    /// screen; otherwise it names the key that shows it.
    public var notice: String? {
        guard let p = voteRequest else { return nil }
        if p == selectedSummary?.id { return "vote requested on proposal \(p): y approve · n reject · a abstain" }
        return "vote requested on proposal \(p): v shows it"
    }
}
