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
        return clusterTick(&s, now)
    case let .status(status):
        receiveStatus(&s, status)
        return []
    case let .events(events):
        return receive(&s, events)
    case let .snapshot(snapshot):
        s.snapshot = snapshot
        s.clusterRead = readAt(s)
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
