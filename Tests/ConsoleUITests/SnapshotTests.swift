import ChainModel
import ChainPrimitives
import ConsoleUI
import Foundation
import Governance
import GovernanceAPI
import Rollout
import Testing

/// The main screens, compared with golden text files. Run with GOVCONSOLE_UPDATE_GOLDEN=1 to rewrite
/// them after an intended change, and read the diff before committing it.
@Suite(.serialized) struct SnapshotTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ name: String, _ screen: String) throws {
        let url = SnapshotTests.goldenDirectory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["GOVCONSOLE_UPDATE_GOLDEN"] != nil {
            try (screen + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(screen + "\n" == golden, "screen \(name) differs from \(url.path); rerun with GOVCONSOLE_UPDATE_GOLDEN=1 if the change is intended")
    }

    @Test func mainScreenAt160x48() async throws {
        try check("main-160x48", Fixture.screen(try await Fixture.state(width: 160, height: 48)))
    }

    @Test func mainScreenAt80x24() async throws {
        try check("main-80x24", Fixture.screen(try await Fixture.state(width: 80, height: 24)))
    }

    /// The capture shown in the README.
    @Test func mainScreenAt120x36() async throws {
        try check("main-120x36", Fixture.screen(try await Fixture.state(width: 120, height: 36)))
    }

    @Test func onePaneWithTabsBelow80x24() async throws {
        var s = try await Fixture.state(width: 70, height: 20)
        s.focus = .routing
        try check("tabbed-routing-70x20", Fixture.screen(s))
    }

    @Test func helpOverlayAt120x36() async throws {
        var s = try await Fixture.state(width: 120, height: 36)
        _ = update(&s, .key(.char("?")))
        try check("help-120x36", Fixture.screen(s))
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
