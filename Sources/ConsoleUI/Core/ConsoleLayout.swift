/// Where each part of the console goes at a given terminal size. Pure, recomputed on every resize.
///
/// 80×24 and up: every pane at once, in two columns (the cluster pane, when focused, in place of the right
/// column). Below that, one pane at a time under a tab bar.
/// Under 40×12, nothing but a request for a bigger window.
public struct ConsoleLayout: Sendable {
    public static let minimum = (width: 40, height: 12)
    public static let full = (width: 80, height: 24)

    public let header: Rect
    public let footer: Rect
    public let status: Rect
    public let panes: [(Pane, Rect)]
    public let tabBar: Rect
    public let isTabbed: Bool
    public let isTooSmall: Bool
    /// The proposals table inside its pane, for mouse hits.
    public let proposalTable: Rect?

    public init(width: Int, height: Int, focus: Pane = .proposals, nodes: Int = 6) {
        let screen = Rect(x: 0, y: 0, width: width, height: height)
        isTooSmall = width < ConsoleLayout.minimum.width || height < ConsoleLayout.minimum.height
        isTabbed = !isTooSmall && (width < ConsoleLayout.full.width || height < ConsoleLayout.full.height)
        let (header, rest) = screen.splitTop(1)
        let (body0, bottom) = rest.splitBottom(2)
        let (status, footer) = bottom.splitTop(1)
        self.header = header
        self.status = status
        self.footer = footer
        if isTooSmall {
            panes = []
            tabBar = Rect(x: 0, y: 0, width: 0, height: 0)
            proposalTable = nil
        } else if isTabbed {
            let (tabs, body) = body0.splitTop(1)
            tabBar = tabs
            panes = [(focus, body)]
            proposalTable = focus == .proposals ? ConsoleLayout.table(in: body) : nil
        } else {
            tabBar = Rect(x: 0, y: 0, width: 0, height: 0)
            // Left: proposals (table and the selected proposal). Right: routing, nodes, feed.
            let (left, right) = body0.splitLeft(width * 11 / 20)
            // The cluster pane, while it has focus, takes the whole right column (its engines and etcd
            // members need the rows, and the proposals stay in sight), or the whole body where that
            // column is too narrow for an engine's problem to be read.
            if focus == .cluster {
                let wide = right.width >= 60
                panes = wide ? [(.proposals, left), (.cluster, right)] : [(.cluster, body0)]
                proposalTable = wide ? ConsoleLayout.table(in: left) : nil
                return
            }
            let routingRows = min(max(9, right.height * 2 / 5), 16 + max(0, (right.height - 30) / 2))
            let (routing, below) = right.splitTop(routingRows)
            // The whole fleet when it fits in half of what is left, so the feed keeps some room.
            let nodesRows = max(4, min(nodes + 3, below.height / 2))
            let (nodes, feed) = below.splitTop(nodesRows)
            panes = [(.proposals, left), (.routing, routing), (.nodes, nodes), (.feed, feed)]
            proposalTable = ConsoleLayout.table(in: left)
        }
    }

    /// The table takes the top part of the proposals pane; the selected proposal's detail the rest.
    static func table(in pane: Rect) -> Rect {
        let inner = pane.inner
        let rows = max(3, min(inner.height / 3 + 1, 12))
        return inner.splitTop(rows).0
    }

}
