import ChainModel
@testable import ConsoleUI
import Foundation
import Governance
import GovernanceAPI
import Testing

/// Text any member can write (event data, call results) on the console: wide characters keep the
/// borders aligned, control characters are shown escaped.
@Suite(.serialized) struct WideTextTests {
    static let chinese = "合约 说 中文 👍 e\u{301}! 再见再见再见"
    static let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31mred\u{9B}31m \u{202E}txet\u{7F}"

    /// The fixture, with a rollback event and a `:call` result carrying `text`.
    func state(_ text: String) async throws -> ConsoleState {
        var s = try await Fixture.state(width: 200, height: 50)
        let event = EventView(RecordedEvent(height: 17, time: 1_893_456_017_000, tx: nil, event: .governance(
            .rollbackTriggered(proposal: 2, target: "asset-ledger", automatic: false, reason: text))))
        _ = update(&s, .events([event]))
        _ = update(&s, .key(.escape))   // the vote request's notice would cover the status line
        _ = update(&s, .done("echo.say on production: v1 via node-2 (logic v1), fuel 90, result " + text))
        return s
    }

    @Test func wideTextKeepsTheBordersAligned() async throws {
        let screen = Fixture.screen(try await state(Self.chinese))
        try expectGolden("wide-text-200x50", screen)
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let feedRow = try #require(rows.first { $0.contains("RollbackTriggered") })
        #expect(feedRow.contains("中文"))
        // The right border sits in the last column: 200 display columns, whatever the text took.
        #expect(DisplayWidth.of(String(feedRow)) == 200, "\(feedRow)")
        // 再 would cross the border, so its first column is padded instead.
        #expect(feedRow.hasSuffix("é!  │"), "\(feedRow)")
    }

    @Test func controlSequencesAreShownEscaped() async throws {
        let screen = Fixture.screen(try await state(Self.hostile))
        try expectGolden("escaped-text-200x50", screen)
        #expect(screen.contains("\\x1b]0;PWNED\\x07\\x1b[2J"))
        #expect(!screen.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{7F}" })
    }

    @Test func aWideCharacterIsNeverSplitAtTheEdge() {
        var b = ScreenBuffer(width: 6, height: 1)
        #expect(b.put("ab中文", x: 0, y: 0, limit: 5) == 5)
        #expect(b.text == "ab中")   // 文 would need columns 4 and 5; column 4 is padded, 5 untouched
        #expect(b[4, 0].char == " " && !b[4, 0].continuation)
        #expect(b[3, 0].continuation)

        var c = ScreenBuffer(width: 4, height: 1)
        #expect(c.put("中文", x: 1, y: 0) == 3)
        #expect(c.text == " 中")
    }

    @Test func combiningAndZeroWidthCharactersTakeNoCellOfTheirOwn() {
        var b = ScreenBuffer(width: 8, height: 1)
        #expect(b.put("e\u{301}x", x: 0, y: 0) == 2)
        #expect(b[0, 0].char == "e\u{301}")
        // A combining mark arriving alone joins the cell written before it.
        #expect(b.put("a", x: 2, y: 0) + b.put("\u{301}", x: 3, y: 0) == 1)
        #expect(b.put("b\u{200B}c", x: 3, y: 0) == 2)   // a zero-width space has nothing to draw
        #expect(b.text == "e\u{301}xabc")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = ScreenBuffer(width: 6, height: 1)
        b.put("中文", x: 0, y: 0)
        b.put("x", x: 1, y: 0)       // the right half of 中
        #expect(b.text == " x文")
        b.put("y", x: 2, y: 0)       // the left half of 文
        #expect(b.text == " xy")
        #expect(!b.cells.contains { $0.continuation })
    }

    /// What ncurses is given for a cell: never more than the cell's columns, never a control character.
    @Test func theTerminalGetsOneDrawableCharacterPerCell() {
        #expect(NcursesBackend.drawable("中") == "中")
        #expect(NcursesBackend.drawable("e\u{301}") == "e\u{301}")
        #expect(NcursesBackend.drawable("👨\u{200D}👩\u{200D}👧") == "👨\u{200D}")   // a ZWJ sequence: its first emoji
        #expect(NcursesBackend.drawable("\u{1B}") == "?")
        var b = ScreenBuffer(width: 4, height: 1)
        b[0, 0] = Cell("\u{9B}")   // set directly, not through put
        #expect(NcursesBackend.drawable(b[0, 0].char) == "?")
    }

    @Test func theConsoleLogEscapesControlCharacters() throws {
        let path = NSTemporaryDirectory() + "gc-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = ConsoleLog(path: path)
        log.write("ok: result " + Self.hostile + "\nsecond line of the output")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("result \\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\u009b31m \\u202etxet\\x7f\nsecond line"))
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{7F}" })
    }
}
