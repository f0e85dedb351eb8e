import Governance
import GovernanceAPI

/// A key the console understands, decoded from the terminal by the backend.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
}

/// Everything that can happen to the console: input, time, and what the engine pushes or answers.
/// `update` is the only place any of it changes the state.
public enum ConsoleMessage: Sendable {
    case key(Key)
    case click(x: Int, y: Int)
    case resize(width: Int, height: Int)
    case tick(now: UInt64)
    /// Events the platform pushed, in order.
    case events([EventView])
    /// A fresh view of the engine, fetched because events arrived or a request finished.
    case snapshot(ConsoleSnapshot)
    /// A fresh status alone, fetched each few seconds for an engine in a cluster: the other engines and
    /// etcd change without any event reaching this one.
    case status(StatusView)
    /// A request finished; its one-line outcome for the status line.
    case done(String)
    case failed(String)
    case identity(name: String, role: String)
    case theme(name: String, warning: String?)
    /// The traffic generator could not go on.
    case trafficStopped(String)
    /// The feed fell behind and skipped ahead: what it missed is in the state, not in events.
    case resynchronised
    /// The connection to a service was lost or is back.
    case connection(up: Bool)
}

/// Side effects `update` asks for, as typed requests; the runtime carries them out as the console's
/// identity and reports back with messages.
public enum EngineCommand: Hashable, Sendable {
    case propose(ProposalDraft)
    case vote(proposal: UInt64, choice: Choice)
    case execute(proposal: UInt64)
    case cancel(proposal: UInt64)
    /// A CLI command line with no typed equivalent (a query, `call`, `node set-logic`, or a request
    /// with its own `--as`), run against this console's engine.
    case run([String])
    case refresh(selected: UInt64?)
    /// Read the status alone (the cluster's view), answered with `.status`.
    case refreshStatus
    case loadTheme(String)
    case traffic(on: Bool)
    case quit
}

/// What the console shows of the engine at one moment.
public struct ConsoleSnapshot: Sendable {
    public var status: StatusView
    public var proposals: [ProposalSummary]
    public var detail: ProposalDetail?
    public var routing: RoutingView
    public var nodes: [NodeView]
    public var members: [MemberView]
    /// The current identity's vote on each proposal it has voted on.
    public var myVotes: [UInt64: String]

    public init(status: StatusView, proposals: [ProposalSummary], detail: ProposalDetail?, routing: RoutingView,
                nodes: [NodeView], members: [MemberView], myVotes: [UInt64: String]) {
        self.status = status
        self.proposals = proposals
        self.detail = detail
        self.routing = routing
        self.nodes = nodes
        self.members = members
        self.myVotes = myVotes
    }
}
