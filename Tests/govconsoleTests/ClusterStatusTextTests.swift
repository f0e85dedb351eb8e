import Foundation
import GovernanceAPI
@testable import govconsole
import Testing

/// `status` prints what engines announced in etcd, where anyone with access to etcd can write: a node
/// name carrying a line feed or an escape sequence reaches the terminal escaped, on its own line.
@Test func anEnginesAnnouncementReachesTheTerminalEscaped() {
    let forged = ClusterView.EngineView(node: "node-9\n\u{1B}[2Jerror: forged", height: 3, head: "abc\u{1B}[31m", position: 3,
                                        checkpoint: 0, checkpointRoot: "", lastSeen: Date(timeIntervalSince1970: 0), problem: "bad\nline")
    let view = ClusterView(node: "node-1", position: 3, engines: [forged], etcd: [], leader: nil, checkpointsAgree: true,
                           refusedEntries: 1, lastRefused: "entry 4:\u{1B}[1m", problem: nil, sealer: "node-9\n\u{1B}[2J",
                           forwardingProblem: "node-9\n\u{1B}[2J could not be reached")
    let text = StatusCommand.text(view)
    #expect(!text.contains("\u{1B}"), "no escape character reaches the terminal: \(text.debugDescription)")
    #expect(text.split(separator: "\n").count == 5, "the order, sealer, forwarding, engine and refused lines: \(text.debugDescription)")
}
