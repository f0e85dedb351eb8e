import Governance
import GovernanceAPI

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
    case .cluster:
        moveClusterSelection(&s, delta)
    }
    return []
}

func paneKey(_ s: inout ConsoleState, _ key: Key) -> [EngineCommand] {
    switch key {
    case .char("q"):
        s.quitting = true
        return [.quit]
    case .char("?"):
        s.overlay = .help
    case .tab:
        let panes = s.panes
        s.focus = panes[((panes.firstIndex(of: s.focus) ?? -1) + 1) % panes.count]
    case .backTab:
        let panes = s.panes
        s.focus = panes[((panes.firstIndex(of: s.focus) ?? 0) + panes.count - 1) % panes.count]
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
        let choice: Choice = key == .char("y") ? .approve : key == .char("n") ? .reject : .abstain
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
        if let n = Int(String(c)), n >= 1, n <= s.panes.count { s.focus = s.panes[n - 1] }
    default:
        break
    }
    return []
}

func refuse(_ s: inout ConsoleState, _ text: String) -> [EngineCommand] {
    s.statusLine = text
    s.statusIsError = true
    return []
}

func click(_ s: inout ConsoleState, x: Int, y: Int) -> [EngineCommand] {
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
        for (pane, label) in TabBar.labels(s, width: layout.tabBar.width) {
            let w = label.count + 1
            if x >= col && x < col + w { s.focus = pane }
            col += w
        }
    }
    return []
}
