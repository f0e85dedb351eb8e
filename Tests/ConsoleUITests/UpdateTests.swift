import ChainModel
import ChainPrimitives
@testable import ConsoleUI
import Foundation
import Governance
import GovernanceAPI
import Rollout
import Testing

@Suite struct UpdateTests {
    func state() async throws -> ConsoleState { try await Fixture.state(width: 160, height: 48, identity: "carol") }

    @Test func votingKeysVoteOnTheSelectedProposal() async throws {
        var s = try await state()
        #expect(s.selected == 3)
        #expect(update(&s, .key(.char("y"))) == [.vote(proposal: 3, choice: .approve)])
        #expect(update(&s, .key(.char("n"))) == [.vote(proposal: 3, choice: .reject)])
        #expect(update(&s, .key(.char("a"))) == [.vote(proposal: 3, choice: .abstain)])
        #expect(s.notice == nil)
    }

    @Test func withNothingSelectedAVoteIsRefusedInTheStatusLine() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        #expect(update(&s, .key(.char("y"))).isEmpty)
        #expect(s.statusIsError && s.statusLine == "select a proposal first")
    }

    @Test func aTallyUpdateMovesTheBarsInTheSameUpdate() async throws {
        var s = try await state()
        let event = EventView(RecordedEvent(height: 99, time: 0, tx: nil,
                                            event: .governance(.tallyUpdated(proposal: 3, approve: 2, reject: 1, abstain: 0, total: 6))))
        let commands = update(&s, .events([event]))
        #expect(s.tallies[3] == TallyView(approve: 2, reject: 1, abstain: 0, voted: 3, total: 6))
        #expect(commands == [.refresh(selected: 3)])
        let screen = Fixture.screen(s)
        // Proposal 3 proposes quorum 0.6; it is itself judged under the 0.5 in force when it was made.
        #expect(screen.contains("3/6 quorum 50%"))
    }

    @Test func aVoteRequestForMeRaisesANoticeAndVLeadsToIt() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        let mine = EventView(RecordedEvent(height: 5, time: 0, tx: nil, event: .governance(.voteRequested(proposal: 7, voter: "bob", weight: 1, request: 9))))
        let theirs = EventView(RecordedEvent(height: 5, time: 0, tx: nil, event: .governance(.voteRequested(proposal: 8, voter: "eve", weight: 1, request: 10))))
        _ = update(&s, .events([theirs]))
        #expect(s.notice == nil)
        _ = update(&s, .events([mine]))
        #expect(s.notice?.contains("proposal 7") == true && s.notice?.contains("v shows it") == true && s.selected == nil)
        #expect(update(&s, .key(.char("v"))) == [.refresh(selected: 7)])
        #expect(s.selected == 7)
    }

    /// Bob reads proposal 3 while another terminal proposes something new that asks for his vote: his
    /// selection stays on 3, and the `y` he presses next votes on 3, the proposal on his screen.
    @Test func liveUpdatesNeverMoveTheSelection() async throws {
        var s = try await Fixture.state(width: 160, height: 48, identity: "bob")
        let before = try #require(s.selectedSummary?.id)
        let newer = before + 100
        let submitted = EventView(RecordedEvent(height: 50, time: 0, tx: nil, event: .governance(.proposalSubmitted(
            proposal: newer, proposer: "bob", operation: .addMember, target: "frank", deadline: 0))))
        let request = EventView(RecordedEvent(height: 50, time: 0, tx: nil, event: .governance(.voteRequested(
            proposal: newer, voter: "bob", weight: 1, request: 77))))
        _ = update(&s, .events([submitted, request]))
        #expect(s.selected == before, "a proposal made elsewhere, even by bob, does not take the selection")
        #expect(s.notice?.contains("proposal \(newer)") == true)
        #expect(update(&s, .key(.char("y"))) == [.vote(proposal: before, choice: .approve)])
        #expect(s.notice != nil, "the request for the other proposal still waits")
    }

    @Test func aRequestAnsweredElsewhereStopsWaiting() async throws {
        var s = try await Fixture.state(width: 160, height: 48, identity: "alice")
        let snapshot = try #require(s.snapshot)
        // alice already voted on #3, from another terminal say: a notice left over from before goes.
        s.voteRequest = 3
        _ = update(&s, .snapshot(snapshot))
        #expect(s.voteRequest == nil && s.notice == nil)
    }

    @Test func aProposalThisConsoleSubmittedIsSelected() {
        var s = ConsoleState(width: 80, height: 24, identity: "ops")
        _ = update(&s, .key(.char(":")))
        for c in "propose add-member frank" { _ = update(&s, .key(.char(c))) }
        _ = update(&s, .key(.enter))
        #expect(s.proposing)
        let submitted = EventView(RecordedEvent(height: 9, time: 0, tx: nil, event: .governance(.proposalSubmitted(
            proposal: 4, proposer: "ops", operation: .addMember, target: "frank", deadline: 0))))
        _ = update(&s, .events([submitted]))
        #expect(s.selected == 4 && !s.proposing)
    }

    @Test func thePausedFeedHoldsStillAndCountsWhatItHasNotShown() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        func event(_ p: UInt64) -> EventView {
            EventView(RecordedEvent(height: p, time: 0, tx: nil, event: .governance(.proposalPassed(proposal: p))))
        }
        _ = update(&s, .events([event(1)]))
        _ = update(&s, .key(.char(" ")))
        #expect(s.feedPaused)
        _ = update(&s, .events([event(2), event(3)]))
        #expect(s.unseen == 2 && s.feedScroll == 2 && s.feed.count == 3)
        _ = update(&s, .key(.char(" ")))
        #expect(!s.feedPaused && s.unseen == 0 && s.feedScroll == 0)
    }

    @Test func theFeedIsBounded() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        let events = (1...1500).map { EventView(RecordedEvent(height: UInt64($0), time: 0, tx: nil, event: .governance(.proposalPassed(proposal: 1)))) }
        _ = update(&s, .events(events))
        #expect(s.feed.count == ConsoleState.feedLimit && s.feed.last?.height == 1500)
    }

    @Test func tabMovesFocusAndQQuits() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        _ = update(&s, .key(.tab))
        #expect(s.focus == .feed)
        _ = update(&s, .key(.backTab))
        _ = update(&s, .key(.backTab))
        #expect(s.focus == .nodes)
        #expect(update(&s, .key(.char("q"))) == [.quit] && s.quitting)
    }

    @Test func theCommandLineRunsCLIWords() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        _ = update(&s, .key(.char(":")))
        for ch in "call asset-ledger transfer \"carol x\" 5" { _ = update(&s, .key(.char(ch))) }
        #expect(update(&s, .key(.enter)) == [.run(["call", "asset-ledger", "transfer", "carol x", "5"])])
        #expect(s.overlay == nil)
    }

    @Test func theProposeFormBuildsATypedProposal() {
        var s = ConsoleState(width: 80, height: 24, identity: "ops")
        _ = update(&s, .key(.char("p")))
        _ = update(&s, .key(.tab))
        for ch in "frank" { _ = update(&s, .key(.char(ch))) }
        #expect(update(&s, .key(.enter)) == [.propose(.addMember(name: "frank", role: .voter, weight: 1))])
        // The chooser switches operations and their fields.
        _ = update(&s, .key(.char("p")))
        _ = update(&s, .key(.right)); _ = update(&s, .key(.right)); _ = update(&s, .key(.right))
        #expect(update(&s, .key(.enter)) == [.propose(.operation(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 100)))])
        #expect(s.proposing)
    }

    @Test func aFormFieldThatDoesNotReadIsRefusedInTheStatusLine() {
        var s = ConsoleState(width: 80, height: 24, identity: "ops")
        _ = update(&s, .key(.char("p")))
        _ = update(&s, .key(.tab))
        for ch in "frank" { _ = update(&s, .key(.char(ch))) }
        _ = update(&s, .key(.tab))
        _ = update(&s, .key(.backspace)); _ = update(&s, .key(.backspace)); _ = update(&s, .key(.backspace))
        _ = update(&s, .key(.backspace)); _ = update(&s, .key(.backspace))
        for ch in "node" { _ = update(&s, .key(.char(ch))) }
        #expect(update(&s, .key(.enter)) == [])
        #expect(s.statusLine == "--role: not a member role; use voter or admin" && s.statusIsError && !s.proposing)
    }

    @Test func theCommandLineProposesVotesExecutesAndCancelsAsTypedEffects() {
        func typed(_ line: String) -> (ConsoleState, [EngineCommand]) {
            var s = ConsoleState(width: 80, height: 24, identity: "ops")
            _ = update(&s, .key(.char(":")))
            for ch in line { _ = update(&s, .key(.char(ch))) }
            let effects = update(&s, .key(.enter))
            return (s, effects)
        }
        #expect(typed("propose remove-member erin").1 == [.propose(.operation(.removeMember(name: "erin")))])
        #expect(typed("propose set-policy --quorum=60% --voting-period 1h").1
                == [.propose(.operation(.setPolicy(PolicyChange(quorum: Ratio(ppm: 600_000), votingPeriod: 3_600_000))))])
        #expect(typed("vote 3 reject").1 == [.vote(proposal: 3, choice: .reject)])
        #expect(typed("execute 2").1 == [.execute(proposal: 2)])
        #expect(typed("cancel 2").1 == [.cancel(proposal: 2)])
        // With its own identity, or an unknown choice, the CLI runs it and says what it says.
        #expect(typed("vote 3 approve --as alice").1 == [.run(["vote", "3", "approve", "--as", "alice"])])
        #expect(typed("vote 3 maybe").1 == [.run(["vote", "3", "maybe"])])
        // The CLI's own reading of a proposal, with its one-line error.
        let (refused, effects) = typed("propose upgrade-nodes --to v2 --stage gray --percent 30")
        #expect(effects.isEmpty && refused.statusIsError)
        #expect(refused.statusLine == "--percent: applies to the production stage only")
        #expect(typed("propose add-member").0.statusLine == "add-member needs <name>; see 'govconsole propose add-member --help'")
    }

    @Test func theFilterNarrowsTheTable() async throws {
        var s = try await state()
        _ = update(&s, .key(.char("/")))
        for ch in "frank" { _ = update(&s, .key(.char(ch))) }
        #expect(s.visibleProposals.map(\.id) == [1])
        #expect(s.selected == 1)
    }

    @Test func aClickSelectsARow() async throws {
        var s = try await state()
        let table = try #require(ConsoleLayout(width: 160, height: 48).proposalTable)
        // Rows are newest first: the third row is proposal 1.
        #expect(update(&s, .click(x: table.x + 2, y: table.y + 3)) == [.refresh(selected: 1)])
        #expect(s.selected == 1 && s.focus == .proposals)
    }

    @Test func anEngineRefusalShowsInTheStatusLine() {
        var s = ConsoleState(width: 80, height: 24, identity: "bob")
        _ = update(&s, .failed("only ops, who proposed 3, may do that, not bob; run it --as ops"))
        #expect(s.statusIsError)
        var b = ScreenBuffer(width: 80, height: 24)
        render(s, into: &b)
        #expect(b.text.contains("only ops, who proposed 3"))
    }

    @Test func onlyChangedCellsAreFlushed() async throws {
        let s = try await state()
        var a = ScreenBuffer(width: 160, height: 48)
        render(s, into: &a)
        var t = s
        _ = update(&t, .key(.char("j")))
        var b = ScreenBuffer(width: 160, height: 48)
        render(t, into: &b)
        let changed = b.changes(since: a).count
        #expect(changed > 0 && changed < 160 * 48 / 4)
        #expect(a.changes(since: a).isEmpty)
        #expect(a.changes(since: nil).count == 160 * 48)
    }
}

@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Themes").standardizedFileURL.path

    @Test func everyShippedThemeLoads() throws {
        #expect(ThemeLoader.available(in: [ThemeTests.themes]) == ["default", "high-contrast", "light", "mono"])
        for name in ["default", "light", "high-contrast", "mono"] {
            let theme = try ThemeLoader.load(path: ThemeLoader.resolve(name, directories: [ThemeTests.themes])!)
            #expect(theme.name == name)
        }
        #expect(try ThemeLoader.load(path: ThemeTests.themes + "/mono.yaml").monochrome)
    }

    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "theme-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aBadColourNamesTheFileLineAndKey() throws {
        let path = try write("name: broken\nroles:\n  text: \"#d0d0d0\"\n  approve: \"greem\"\n")
        do {
            _ = try ThemeLoader.load(path: path)
            Issue.record("a bad colour was accepted")
        } catch {
            #expect(error.line == 4 && error.key == "approve")
            #expect(error.description.contains((path as NSString).lastPathComponent + ":4: approve"))
            #expect(error.description.contains("using the default theme"))
        }
    }

    @Test func unknownRolesAndBadYamlAreRefused() throws {
        #expect(throws: ThemeError.self) { try ThemeLoader.load(path: try write("roles:\n  sparkle: red\n")) }
        #expect(throws: ThemeError.self) { try ThemeLoader.load(path: try write("roles: [unclosed\n")) }
        #expect(throws: ThemeError.self) { try ThemeLoader.load(path: "/nonexistent/theme.yaml") }
    }

    @Test func coloursParse() {
        #expect(ThemeColor(parsing: "#ff0000") == .rgb(255, 0, 0))
        #expect(ThemeColor(parsing: "bright-red") == .ansi(9))
        #expect(ThemeColor(parsing: "208") == .index(208))
        #expect(ThemeColor(parsing: "default") == .terminalDefault)
        #expect(ThemeColor(parsing: "#ff00") == nil && ThemeColor(parsing: "256") == nil)
        #expect(ThemeLoader.parse("white on #005f87 bold") == RoleStyle(fg: .ansi(7), bg: .rgb(0, 95, 135), bold: true))
    }

    @Test func coloursMapToWhatTheTerminalHas() {
        #expect(NcursesBackend.nearest(.rgb(255, 0, 0), colors: 256) == 196)
        #expect(NcursesBackend.nearest(.rgb(255, 0, 0), colors: 16) == 9)
        #expect(NcursesBackend.nearest(.rgb(250, 10, 10), colors: 8) == 1)
        #expect(NcursesBackend.nearest(.ansi(12), colors: 8) == 4)
        #expect(NcursesBackend.nearest(.terminalDefault, colors: 256) == -1)
    }
}

@Suite struct IdentityTests {
    @Test func choosingAnIdentityTakesEffectBeforeTheNextKey() async throws {
        var s = try await Fixture.state(width: 160, height: 48, identity: "ops")
        _ = update(&s, .key(.char("i")))
        _ = update(&s, .key(.down))
        #expect(update(&s, .key(.enter)) == [.refresh(selected: s.selected)])
        #expect(s.identity == "alice" && s.role == "voter")
        #expect(update(&s, .key(.char("y"))) == [.vote(proposal: 3, choice: .approve)])
    }
}
