import Foundation
import Testing

/// A voter reading one proposal while another terminal makes a new one: the new proposal raises a
/// notice, and the key the voter presses acts on the proposal on the voter's screen.
@Suite struct ConsoleSelectionTmuxTests {
    @Test func aVoteLandsOnTheProposalTheVoterIsLookingAt() async throws {
        let sandbox = try Sandbox()
        try await sandbox.ok("init", "--demo")
        let service = try await ServiceProcess(sandbox)
        defer { service.kill() }
        try await sandbox.ok("propose", "add-member", "frank", "--as", "ops")

        let exe = try Sandbox.executable().path
        let bob = ConsoleTmuxTests.Tmux()
        defer { bob.kill() }
        try await bob.start("\(exe) --data \(sandbox.data) --no-traffic --as bob", width: 160, height: 48)
        _ = try await bob.waitFor("vote requested on proposal 1: y approve")

        // Another terminal proposes #2, which asks bob for a vote too; bob's screen stays on #1.
        try await sandbox.ok("propose", "remove-member", "erin", "--as", "ops")
        let screen = try await bob.waitFor("vote requested on proposal 2: v shows it")
        #expect(screen.contains("#1 add-member"), "bob still reads #1:\n\(screen)")

        try await bob.keys("y")
        _ = try await bob.waitFor("bob voted approve on #1")
        #expect(try await sandbox.show(1).votes.contains(.init(voter: "bob", choice: "approve")))
        #expect(try await sandbox.show(2).votes.isEmpty, "the vote went to the proposal on screen, not the newest")

        // v takes bob to the request; now y/n/a act on #2.
        try await bob.keys("v")
        _ = try await bob.waitFor("vote requested on proposal 2: y approve")
        try await bob.keys("n")
        _ = try await bob.waitFor("bob voted reject on #2")
        #expect(try await sandbox.show(2).votes == [.init(voter: "bob", choice: "reject")])
    }
}
