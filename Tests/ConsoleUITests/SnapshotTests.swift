import ConsoleUI
import Foundation
import Testing

/// The main screens, compared with golden text files (expectGolden).
@Suite(.serialized) struct SnapshotTests {
    @Test func mainScreenAt160x48() async throws {
        try expectGolden("main-160x48", Fixture.screen(try await Fixture.state(width: 160, height: 48)))
    }

    @Test func mainScreenAt80x24() async throws {
        try expectGolden("main-80x24", Fixture.screen(try await Fixture.state(width: 80, height: 24)))
    }

    /// The capture shown in the README.
    @Test func mainScreenAt120x36() async throws {
        try expectGolden("main-120x36", Fixture.screen(try await Fixture.state(width: 120, height: 36)))
    }

    @Test func onePaneWithTabsBelow80x24() async throws {
        var s = try await Fixture.state(width: 70, height: 20)
        s.focus = .routing
        try expectGolden("tabbed-routing-70x20", Fixture.screen(s))
    }

    @Test func helpOverlayAt120x36() async throws {
        var s = try await Fixture.state(width: 120, height: 36)
        _ = update(&s, .key(.char("?")))
        try expectGolden("help-120x36", Fixture.screen(s))
    }

    @Test func tooSmallAWindowAsksForABiggerOne() async throws {
        let s = try await Fixture.state(width: 39, height: 11)
        #expect(Fixture.screen(s).trimmingCharacters(in: .newlines) == "window too small: need 40×12")
        let tiny = try await Fixture.state(width: 60, height: 11)
        #expect(Fixture.screen(tiny).hasPrefix("govconsole needs a window of at least 40×12"))
    }

    @Test func asciiForDumbTerminals() async throws {
        let s = try await Fixture.state(width: 80, height: 24)
        let screen = Fixture.screen(s, ascii: true)
        #expect(!screen.contains("─") && !screen.contains("█") && !screen.contains("✓"))
        #expect(screen.contains("+ alice"))
    }
}
