import GovernanceAPI

/// `events` without `--follow`, written as it is read: a page of events at a time from the ledger, each
/// printed before the next is asked for, so a ledger of millions of events lists in bounded memory. The
/// text is an aligned table whose widths are fixed up front; `--json` is one JSON array, streamed.
struct EventListing {
    /// Events asked for per page: small enough to print soon, large enough to cost few round trips.
    static let pageEvents = 1_000
    /// The widest event name (`PermissionConsumed`): the EVENT column is fixed before any event is seen.
    static let eventWidth = 18

    let json: Bool
    let context: CommandContext
    private var written = 0
    private var heightWidth = 6
    private var heldElement: String?

    init(json: Bool, context: CommandContext) {
        self.json = json
        self.context = context
    }

    /// Lists up to `limit` events from block `from` on, up to the head as it was when the listing began.
    mutating func run(_ engine: GovernanceClient, from: UInt64, limit: Int) async throws {
        var next = from
        var end: UInt64?
        var remaining = limit
        while remaining > 0 {
            let page = try await engine.events(from: next, limit: min(remaining, Self.pageEvents))
            let last = end ?? page.head
            end = last
            heightWidth = max(heightWidth, String(last).count)
            let events = Array(page.events.filter { $0.height <= last }.prefix(remaining))
            try write(events)
            remaining -= events.count
            guard page.next > next, page.next <= last else { break }
            next = page.next
        }
        finish(from: from)
    }

    private mutating func write(_ events: [EventView]) throws {
        guard !events.isEmpty else { return }
        var lines: [String] = []
        if json {
            // An element is held back until the next one or the end says whether a comma follows it.
            for e in events {
                let element = try Output.json(e).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
                if let held = heldElement { lines.append(held + ",") } else if written == 0 { lines.append("[") }
                heldElement = element
            }
        } else {
            if written == 0 { lines.append(row(["HEIGHT", "TIME", "EVENT", "DETAILS"])) }
            lines += events.map { row(["\($0.height)", Output.time($0.time), $0.type, EventsCommand.details($0)]) }
        }
        if !lines.isEmpty { put(lines.joined(separator: "\n"), raw: json) }
        written += events.count
    }

    private func finish(from: UInt64) {
        if json {
            put(heldElement.map { "\($0)\n]" } ?? "[]", raw: true)
        } else if written == 0 {
            put(from == 0 ? "no events" : "no events from height \(from)", raw: false)
        }
    }

    /// One table row: every column but the last padded to its fixed width, each cell one line.
    private func row(_ cells: [String]) -> String {
        let widths = [heightWidth, 23, Self.eventWidth]
        return cells.map(\.terminalSafe).enumerated().map { i, cell in
            i < widths.count ? DisplayWidth.padded(cell, to: widths[i]) : cell
        }.joined(separator: "  ")
    }

    /// Whole lines, written at once, through `Output` like every other write to the terminal: JSON as
    /// `Output.json` made it (escaping leaves it as it is), text made safe for the terminal.
    private func put(_ text: String, raw: Bool) {
        switch context.output {
        case .standardOutput: Output.line(text)
        case let .capture(capture): capture.append(raw ? text : Output.human(text))
        }
    }
}
