import Foundation
import Governance
import GovernanceAPI

/// The only place the console's state changes. Takes one message, returns the side effects to run.
/// Pure: no engine calls, no terminal calls, no clock reads.
public func update(_ s: inout ConsoleState, _ message: ConsoleMessage) -> [EngineCommand] {
    switch message {
    case let .resize(width, height):
        s.width = width
        s.height = height
        return []
    case let .tick(now):
        tick(&s, now)
        return []
    case let .events(events):
        return receive(&s, events)
    case let .snapshot(snapshot):
        s.snapshot = snapshot
        // The snapshot carries the truth; tallies from events older than it are no longer needed.
        s.tallies = [:]
        if s.selected == nil || !snapshot.proposals.contains(where: { $0.id == s.selected }) {
            s.selected = snapshot.proposals.last?.id
            if snapshot.detail?.id != s.selected { return [.refresh(selected: s.selected)] }
        }
        if let me = snapshot.members.first(where: { $0.name == s.identity }) { s.role = me.role }
        // A vote still waiting for this identity gets its notice, e.g. right after switching to it.
        if s.voteRequest == nil, let d = snapshot.detail, d.status == "voting", d.pending.contains(s.identity) {
            s.voteRequest = d.id
        }
        // Answered from another terminal, or closed: the request no longer waits.
        if let d = snapshot.detail, d.id == s.voteRequest, d.status != "voting" || !d.pending.contains(s.identity) {
            s.voteRequest = nil
        }
        return []
    case let .done(text):
        s.statusLine = text
        s.statusIsError = false
        return [.refresh(selected: s.selected)]
    case let .failed(text):
        s.statusLine = text
        s.statusIsError = true
        s.proposing = false
        return []
    case let .identity(name, role):
        s.identity = name
        s.role = role
        s.voteRequest = nil
        s.statusLine = "now acting as \(name) (\(role))"
        s.statusIsError = false
        return [.refresh(selected: s.selected)]
    case let .trafficStopped(reason):
        s.trafficOn = false
        s.statusLine = "traffic stopped: \(reason)"
        s.statusIsError = true
        return []
    case .resynchronised:
        return [.refresh(selected: s.selected)]
    case let .connection(up):
        s.connected = up
        s.statusLine = up ? "reconnected to the service; state read again" : "lost the service; reconnecting…"
        s.statusIsError = !up
        return up ? [.refresh(selected: s.selected)] : []
    case let .theme(name, warning):
        s.theme = name
        s.themeWarning = warning
        if let warning { s.statusLine = warning; s.statusIsError = true }
        return []
    case let .click(x, y):
        return click(&s, x: x, y: y)
    case let .key(key):
        if s.overlay != nil { return overlayKey(&s, key) }
        return paneKey(&s, key)
    }
}

private func tick(_ s: inout ConsoleState, _ now: UInt64) {
    s.now = now
    guard let status = s.snapshot?.status else { return }
    if let lastTick = s.lastTick, let lh = s.lastHeight, let lt = s.lastTransactions, now > lastTick {
        let seconds = Double(now - lastTick) / 1000
        s.blockRate.append(Double(status.height - min(status.height, lh)) / seconds)
        s.txRate.append(Double(status.transactions - min(status.transactions, lt)) / seconds)
        if s.blockRate.count > ConsoleState.historyLimit { s.blockRate.removeFirst(s.blockRate.count - ConsoleState.historyLimit) }
        if s.txRate.count > ConsoleState.historyLimit { s.txRate.removeFirst(s.txRate.count - ConsoleState.historyLimit) }
    }
    s.lastTick = now
    s.lastHeight = status.height
    s.lastTransactions = status.transactions
}

private func receive(_ s: inout ConsoleState, _ events: [EventView]) -> [EngineCommand] {
    var newEntries: [FeedEntry] = []
    for e in events {
        if e.type == "ContractEvent" { continue }   // every call emits one; the feed is for governance and routing
        newEntries.append(FeedEntry(e))
        switch e.type {
        case "TallyUpdated":
            if let p = e.proposal, case let .int(a)? = e.value("approve"), case let .int(r)? = e.value("reject"),
               case let .int(ab)? = e.value("abstain"), case let .int(t)? = e.value("total") {
                s.tallies[p] = TallyView(approve: a, reject: r, abstain: ab, voted: a + r + ab, total: t)
            }
        case "VoteRequested":
            // Live updates never move the selection: the notice names the proposal and `v` goes there.
            if case let .text(voter)? = e.value("voter"), voter == s.identity, let p = e.proposal {
                s.voteRequest = p
            }
        case "ProposalSubmitted":
            // Only the proposal this console just submitted is selected: the user asked for it.
            if s.proposing, case let .text(proposer)? = e.value("proposer"), proposer == s.identity {
                s.selected = e.proposal
                s.proposing = false
            }
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

private func move(_ s: inout ConsoleState, _ delta: Int) -> [EngineCommand] {
    switch s.focus {
    case .proposals:
        let list = s.visibleProposals
        guard !list.isEmpty else { return [] }
        let i = ((s.selectedIndex ?? 0) + delta).clamped(0, list.count - 1)
        s.selected = list[i].id
        return [.refresh(selected: s.selected)]
    case .feed:
        s.feedScroll = (s.feedScroll - delta).clamped(0, max(0, s.feed.count - 1))
        if s.feedScroll == 0 && !s.feedPaused { s.unseen = 0 }
    case .routing:
        s.routingScroll = max(0, s.routingScroll + delta)
    case .nodes:
        s.nodesScroll = max(0, s.nodesScroll + delta)
    }
    return []
}

private func paneKey(_ s: inout ConsoleState, _ key: Key) -> [EngineCommand] {
    switch key {
    case .char("q"):
        s.quitting = true
        return [.quit]
    case .char("?"):
        s.overlay = .help
    case .tab:
        s.focus = Pane.allCases[(Pane.allCases.firstIndex(of: s.focus)! + 1) % Pane.allCases.count]
    case .backTab:
        s.focus = Pane.allCases[(Pane.allCases.firstIndex(of: s.focus)! + Pane.allCases.count - 1) % Pane.allCases.count]
    case .down, .char("j"):
        return move(&s, 1)
    case .up, .char("k"):
        return move(&s, -1)
    case .pageDown:
        return move(&s, 10)
    case .pageUp:
        return move(&s, -10)
    case .char(" "):
        s.feedPaused.toggle()
        if !s.feedPaused { s.feedScroll = 0; s.unseen = 0 }
    case .char("y"), .char("n"), .char("a"):
        // The proposal whose detail is on screen, whatever has arrived since.
        guard let id = s.selectedSummary?.id else { return refuse(&s, "select a proposal first") }
        let choice = key == .char("y") ? "approve" : key == .char("n") ? "reject" : "abstain"
        if s.voteRequest == id { s.voteRequest = nil }
        return [.vote(proposal: id, choice: choice)]
    case .char("v"):
        guard let p = s.voteRequest else { return refuse(&s, "no vote is waiting for you") }
        // A filter that hides the proposal would leave nothing selected; show everything instead.
        if !s.visibleProposals.contains(where: { $0.id == p }) { s.filter = "" }
        s.focus = .proposals
        s.selected = p
        return [.refresh(selected: p)]
    case .char("x"):
        guard let id = s.selectedSummary?.id else { return refuse(&s, "select a proposal first") }
        return [.execute(proposal: id)]
    case .char("c"):
        guard let id = s.selectedSummary?.id else { return refuse(&s, "select a proposal first") }
        return [.cancel(proposal: id)]
    case .char("/"):
        s.focus = .proposals
        s.overlay = .filter(s.filter)
    case .char(":"):
        s.overlay = .command("")
    case .char("i"):
        let names = (s.snapshot?.members ?? []).map(\.name)
        s.overlay = .identities(selected: names.firstIndex(of: s.identity) ?? 0)
    case .char("p"):
        s.overlay = .propose(ProposeForm())
    case .char("t"):
        let i = s.themes.firstIndex(of: s.theme) ?? -1
        return [.loadTheme(s.themes[(i + 1) % max(1, s.themes.count)])]
    case .char("g"):
        s.trafficOn.toggle()
        return [.traffic(on: s.trafficOn)]
    case .escape:
        s.voteRequest = nil
        s.statusLine = nil
    case .char(let c) where c.isNumber:
        if let n = Int(String(c)), n >= 1, n <= Pane.allCases.count { s.focus = Pane.allCases[n - 1] }
    default:
        break
    }
    return []
}

private func refuse(_ s: inout ConsoleState, _ text: String) -> [EngineCommand] {
    s.statusLine = text
    s.statusIsError = true
    return []
}

private func overlayKey(_ s: inout ConsoleState, _ key: Key) -> [EngineCommand] {
    guard let overlay = s.overlay else { return [] }
    if key == .escape { s.overlay = nil; return [] }
    switch overlay {
    case .help:
        s.overlay = nil
    case let .command(text):
        switch key {
        case .enter:
            s.overlay = nil
            let args = CommandLineWords.split(text)
            s.proposing = args.first == "propose"
            return args.isEmpty ? [] : [.run(args)]
        case .backspace: s.overlay = .command(String(text.dropLast()))
        case let .char(c): s.overlay = .command(text + String(c))
        default: break
        }
    case let .filter(text):
        switch key {
        case .enter: s.overlay = nil
        case .backspace: s.filter = String(text.dropLast()); s.overlay = .filter(s.filter)
        case let .char(c): s.filter = text + String(c); s.overlay = .filter(s.filter)
        default: break
        }
        if let first = s.visibleProposals.first, s.selectedIndex == nil { s.selected = first.id; return [.refresh(selected: first.id)] }
    case let .identities(selected):
        let names = (s.snapshot?.members ?? []).map(\.name)
        switch key {
        case .down, .char("j"): s.overlay = .identities(selected: min(selected + 1, max(0, names.count - 1)))
        case .up, .char("k"): s.overlay = .identities(selected: max(0, selected - 1))
        case .enter:
            s.overlay = nil
            // The switch takes effect now, so the very next key already acts as the new identity.
            if selected < names.count, let member = s.snapshot?.members[selected] {
                return update(&s, .identity(name: member.name, role: member.role))
            }
        default: break
        }
    case var .propose(form):
        switch key {
        case .tab, .down: form.cursor = (form.cursor + 1) % (form.fields.count + 1)
        case .backTab, .up: form.cursor = (form.cursor + form.fields.count) % (form.fields.count + 1)
        case .left where form.cursor == 0, .right where form.cursor == 0:
            let n = ProposeForm.operations.count
            form.operation = (form.operation + (key == .left ? n - 1 : 1)) % n
            form.fields = ProposeForm.fields(for: ProposeForm.operations[form.operation])
        case .backspace where form.cursor > 0:
            form.fields[form.cursor - 1].value = String(form.fields[form.cursor - 1].value.dropLast())
        case let .char(c) where form.cursor > 0:
            form.fields[form.cursor - 1].value.append(c)
        case .enter:
            s.overlay = nil
            s.proposing = true
            return [.run(form.arguments)]
        default: break
        }
        if s.overlay != nil { s.overlay = .propose(form) }
    }
    return []
}

private func click(_ s: inout ConsoleState, x: Int, y: Int) -> [EngineCommand] {
    let layout = ConsoleLayout(width: s.width, height: s.height, focus: s.focus, nodes: s.snapshot?.nodes.count ?? 6)
    for (pane, rect) in layout.panes where rect.contains(x: x, y: y) {
        s.focus = pane
        if pane == .proposals, let table = layout.proposalTable {
            let row = y - table.y - 1
            let list = s.visibleProposals
            let first = Table.offset(selected: s.selectedIndex, count: list.count, visible: table.height - 1)
            if row >= 0, first + row < list.count {
                s.selected = list[first + row].id
                return [.refresh(selected: s.selected)]
            }
        }
    }
    if layout.isTabbed, y == layout.tabBar.y {
        var col = 0
        for (i, pane) in Pane.allCases.enumerated() {
            let w = " \(i + 1) \(pane.title) ".count + 1
            if x >= col && x < col + w { s.focus = pane }
            col += w
        }
    }
    return []
}

/// Splits a typed command line into words, honouring double quotes.
public enum CommandLineWords {
    public static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for ch in line {
            if ch == "\"" { quoted.toggle(); inWord = true; continue }
            if ch == " " && !quoted {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            current.append(ch)
            inWord = true
        }
        if inWord { words.append(current) }
        return words
    }
}

extension FeedEntry {
    init(_ e: EventView) {
        height = e.height
        time = e.time
        type = e.type
        proposal = e.proposal
        text = e.fields.filter { !["proposal", "request", "deadline", "expires", "code"].contains($0.name) }.map { f in
            switch f.value {
            case let .int(v): "\(f.name)=\(v)"
            case let .text(v): "\(f.name)=\(v)"
            case .time: ""
            }
        }.filter { !$0.isEmpty }.joined(separator: " ")
        switch e.type {
        case "ProposalPassed", "PermissionGranted", "OperationExecuted": role = .approve
        case "ProposalRejected", "RollbackTriggered": role = .reject
        case "ProposalExpired", "PermissionExpired", "ProposalCanceled": role = .warn
        case "VoteCast":
            role = e.value("choice") == .text("approve") ? .approve : e.value("choice") == .text("reject") ? .reject : .abstain
        case "RoutingChanged", "NodeLogicChanged", "ContractDeployed": role = .accent
        default: role = .text
        }
    }
}

extension EventView {
    func value(_ name: String) -> EventValue? { fields.first { $0.name == name }?.value }
}
