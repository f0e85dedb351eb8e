@testable import ConsoleUI
import Testing

/// One reading of the routing view for the Routing pane and `govconsole routing`.
@Suite struct RoutingGaugeTests {
    @Test func eachTargetHasItsTrackSharesAndRecord() async throws {
        let s = try await Fixture.state(width: 160, height: 48)
        let gauges = RoutingGauge.all(try #require(s.snapshot?.routing))
        #expect(gauges.map(\.title) == ["asset-ledger", "nodes"])
        let ledger = gauges[0]
        #expect(ledger.old == "v1" && ledger.new == "v2" && !ledger.isNodes)
        #expect(ledger.track() == "● prerelease → ○ gray → ○ production")
        #expect(ledger.track(ascii: true, short: true) == "* prer > o gray > o prod")
        #expect(ledger.lanes.map(\.newPercent) == [100, 0, 0] && ledger.lanes.map(\.oldPercent) == [0, 100, 100])
        #expect(ledger.versions.map(\.name) == ledger.versions.map(\.name).sorted())
        #expect(ledger.versions.allSatisfy { ledger.cost($0)?.hasPrefix("fuel ") == true })
        #expect(gauges[1].isNodes && gauges[1].track() == "○ prerelease → ○ gray → ○ production")
    }

    @Test func theGaugeSplitsCellsTheSameForPaneAndText() {
        #expect(RoutingGauge.cells(newPercent: 50, width: 24) == (12, 12))
        #expect(RoutingGauge.cells(newPercent: 33, width: 10) == (7, 3))
        #expect(RoutingGauge.bar(newPercent: 25, width: 8) == "░░░░░░██")
        #expect(RoutingGauge.bar(newPercent: 25, width: 8, ascii: true) == "------##")
        var b = ScreenBuffer(width: 8, height: 1)
        Gauge.draw(newPercent: 25, x: 0, y: 0, width: 8, into: &b)
        #expect((0..<8).map { String(b[$0, 0].char) }.joined() == RoutingGauge.bar(newPercent: 25, width: 8))
    }
}
