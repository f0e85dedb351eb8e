import Foundation
/// The live event feed, newest at the bottom; paused, it holds still and counts what it has not shown.
enum FeedPane {
    static func draw(_ s: ConsoleState, in r: Rect, focused: Bool, into b: inout ScreenBuffer, ascii: Bool) {
        var title = "Live events"
        if s.feedPaused { title += " · paused · \(s.unseen) unseen" } else if s.feedScroll > 0 { title += " · \(s.feedScroll) back" }
        let inner = Box.draw(title, in: r, focused: focused, into: &b, ascii: ascii)
        guard inner.height > 0 else { return }
        let end = max(0, s.feed.count - s.feedScroll)
        let shown = s.feed[max(0, end - inner.height)..<end]
        for (i, e) in shown.enumerated() {
            let y = inner.y + i
            var x = inner.x
            x += b.put(String(e.height).padding(toLength: 6, withPad: " ", startingAt: 0), x: x, y: y, style: Style(.muted), limit: inner.maxX - x)
            // A name longer than the column pushes its row's fields along rather than run into them.
            x += b.put(e.type.padding(toLength: max(19, e.type.count + 1), withPad: " ", startingAt: 0), x: x, y: y,
                       style: Style(e.role, bold: true), limit: inner.maxX - x)
            let prefix = e.proposal.map { "#\($0) " } ?? ""
            b.put(prefix + e.text, x: x, y: y, style: Style(e.role), limit: inner.maxX - x)
        }
        if s.feed.isEmpty { b.put("waiting for events…", x: inner.x, y: inner.y, style: Style(.muted)) }
    }
}
