import ConsoleUI
import Testing

/// The header names the engine at every width, since a vote cast here goes to it; a console that serves
/// its directory says so, in one word where 80 columns leave room for no more.
@Suite struct HeaderTests {
    func header(_ s: ConsoleState, width: Int, ascii: Bool = false) -> String {
        var s = s
        s.width = width
        return String(Fixture.screen(s, ascii: ascii).split(separator: "\n").first ?? "")
    }

    @Test func aServingConsoleSaysSoAtEveryWidth() async throws {
        var s = try await Fixture.state(width: 160, height: 48)
        s.mode = ConsoleState.servingMode
        // Where both words would crowd out the clock, "serving" alone; never a word cut short.
        for (width, shown) in [(80, "│ carol (voter) │ serving"), (100, "│ carol (voter) │ serving"),
                               (120, "│ carol (voter) │ embedded · serving"), (160, "│ carol (voter) │ embedded · serving │ theme default")] {
            let line = header(s, width: width)
            #expect(line.contains(shown + " ") || line.hasSuffix(shown), "at \(width) columns the header reads: \(line)")
            #expect(line.count <= width)
        }
        #expect(header(s, width: 120, ascii: true).contains("| embedded + serving "))
    }

    @Test func anEmbeddedConsoleThatDoesNotServeSaysEmbedded() async throws {
        let s = try await Fixture.state(width: 120, height: 36)
        let line = header(s, width: 120)
        #expect(line.contains("│ embedded ") && !line.contains("serving"), "the header reads: \(line)")
    }
}
