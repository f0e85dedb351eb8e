import ArgumentParser
import DurableStorage
import Foundation
import GovernanceAPI
import GovernanceEngine
@testable import govconsole
import Testing

/// The console's `:` line runs subcommands in its own process: against the engine and as the identity it
/// hands them, and nothing of that is left for a subcommand run after it.
@Suite struct InProcessRunnerTests {
    @Test func aCommandLineUsesTheConsolesEngineAndIdentityAndLeavesNothingBehind() async throws {
        let sandbox = try Sandbox()
        let dir = DataDirectory(path: sandbox.data)
        let engine = try await GovernanceClient.create(at: dir, consortium: try .demo())
        let runner = InProcessRunner(directory: dir)

        let proposed = await runner.run(["propose", "add-member", "frank"], engine: engine, identity: "ops")
        #expect(proposed.ok && proposed.text.hasPrefix("proposal 1 submitted by ops: add-member frank"), "\(proposed)")
        // alice is a voter; the default identity, the first admin, would be refused its vote.
        let voted = await runner.run(["vote", "1", "approve"], engine: engine, identity: "alice")
        #expect(voted.ok && voted.text.hasPrefix("alice voted approve on proposal 1: approve 1, reject 0"), "\(voted)")
        // A command line's own --as wins over the console's identity.
        let bob = await runner.run(["vote", "1", "reject", "--as", "bob"], engine: engine, identity: "alice")
        #expect(bob.ok && bob.text.hasPrefix("bob voted reject on proposal 1: approve 1, reject 1"), "\(bob)")

        let listed = await runner.run(["proposals"], engine: engine, identity: "alice")
        #expect(listed.ok && listed.text.contains("add-member") && listed.text.contains("frank"), "\(listed)")
        let status = await runner.run(["status"], engine: engine, identity: "alice")
        #expect(status.ok && status.text.contains("data          \(dir.path)\n"), "\(status)")
        // `verify` reads the ledger's files, not the engine: the console's directory, not the default one.
        let height = try await engine.status().height
        let verified = await runner.run(["verify"], engine: engine, identity: "alice")
        #expect(verified.ok && verified.text.hasPrefix("ledger OK up to height \(height)\n"), "\(verified)")

        // Run standalone afterwards in this process, a subcommand opens the directory its options name.
        let empty = DataDirectory(path: sandbox.root.appendingPathComponent("empty").path)
        var standalone = try #require(try GovConsole.parseAsRoot(["proposals", "--data", empty.path]) as? any AsyncParsableCommand)
        await #expect(throws: LedgerError.missing(directory: empty.path)) { try await standalone.run() }
        await engine.close()
    }

    @Test func shellOnlySubcommandsAreRefusedInsideTheConsole() async throws {
        let sandbox = try Sandbox()
        let engine = try await GovernanceClient.create(at: DataDirectory(path: sandbox.data), consortium: try .demo())
        let before = try await engine.status().height
        let runner = InProcessRunner(directory: DataDirectory(path: sandbox.data))
        for (line, name) in [(["init", "--demo"], "init"), (["serve"], "serve"), (["traffic"], "traffic"),
                             (["events", "--follow"], "events"), (["--json", "traffic"], "traffic"),
                             (["join", sandbox.data, "--node", "node-1", "--data", sandbox.root.appendingPathComponent("org").path], "join")] {
            let r = await runner.run(line, engine: engine, identity: "ops")
            #expect(!r.ok && r.text == "'\(name)' cannot run inside the console; quit and run 'govconsole \(name)' in a shell (g toggles traffic here)",
                    "\(line): \(r)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("org").path), "the refused join wrote nothing")
        let nothing = await runner.run(["--json"], engine: engine, identity: "ops")
        #expect(!nothing.ok && nothing.text == "'--json' is not a subcommand; press ? for keys or type e.g. 'show 3'", "\(nothing)")
        // The ledger is as created: the refused lines wrote nothing.
        #expect(try await engine.status().height == before)
        await engine.close()
    }
}
