import ChainModel
import Governance
import GovernanceAPI

/// Events the platform pushed: into the feed, and into the state where they say something about it.
func receive(_ s: inout ConsoleState, _ events: [EventView]) -> [EngineCommand] {
    var newEntries: [FeedEntry] = []
    for e in events {
        guard case let .governance(event) = e.event else { continue }   // every call emits one; the feed is for governance and routing
        newEntries.append(FeedEntry(e))
        switch event {
        case let .tallyUpdated(p, approve, reject, abstain, total):
            s.tallies[p] = TallyView(approve: approve, reject: reject, abstain: abstain, voted: approve + reject + abstain, total: total)
        case let .voteRequested(p, voter, _, _) where voter == s.identity:
            // Live updates never move the selection: the notice names the proposal and `v` goes there.
            s.voteRequest = p
        case let .proposalSubmitted(p, proposer, _, _, _) where s.proposing && proposer == s.identity:
            // Only the proposal this console just submitted is selected: the user asked for it.
            s.selected = p
            s.proposing = false
        default:
            break
        }
    }
    s.feed += newEntries
    if s.feed.count > ConsoleState.feedLimit { s.feed.removeFirst(s.feed.count - ConsoleState.feedLimit) }
    if s.feedPaused {
        s.unseen += newEntries.count
        s.feedScroll = min(s.feedScroll + newEntries.count, max(0, s.feed.count - 1))
    }
    return [.refresh(selected: s.selected)]
}

extension FeedEntry {
    init(_ e: EventView) {
        height = e.height
        time = e.time
        type = e.type
        proposal = e.proposal
        fields = e.fields
        role = FeedEntry.role(of: e.event)
    }

    /// The fields a reader of the line wants: the proposal is in its own column, request numbers and
    /// times are noise on one line.
    public var text: String {
        var out = ""
        for f in fields {
            switch f.name {
            case "proposal", "request", "deadline", "expires", "code": continue
            default: break
            }
            let value: String
            switch f.value {
            case let .int(v): value = String(v)
            case let .text(v): value = v
            case .time: continue
            }
            if !out.isEmpty { out += " " }
            out += f.name
            out += "="
            out += value
        }
        return out
    }

    /// How an event is coloured: outcomes by how they went, votes by their choice, rollouts as accents.
    static func role(of event: ChainEvent) -> ThemeRole {
        guard case let .governance(g) = event else { return .text }
        switch g {
        case .proposalPassed, .permissionGranted, .operationExecuted: return .approve
        case .proposalRejected, .rollbackTriggered: return .reject
        case .proposalExpired, .permissionExpired, .proposalCanceled: return .warn
        case let .voteCast(_, _, choice, _, _): return choice == .approve ? .approve : choice == .reject ? .reject : .abstain
        case .routingChanged, .nodeLogicChanged, .contractDeployed: return .accent
        case let .nodeAvailabilityChanged(_, online, _): return online ? .approve : .warn
        case .proposalSubmitted, .voteRequested, .tallyUpdated, .permissionConsumed: return .text
        }
    }
}
