import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 12: text any member puts on chain (call arguments become event data and call results) reaches
// no terminal as control sequences, through every human output; `--json` keeps it exact.

/// `say` emits its argument as an event and returns it; `fail` aborts with it as its message; `hostile`
/// returns a fixed text of escape sequences, for the console, where ESC cannot be typed.
private let echoContract = #"""
    (module
      (import "env" "arg" (func $arg (param i32 i32 i32) (result i32)))
      (import "env" "emit" (func $emit (param i32 i32 i32 i32)))
      (import "env" "output" (func $output (param i32 i32)))
      (import "env" "abort" (func $abort (param i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "said")
      (data (i32.const 16) "\1b]0;PWNED\07\1b[2J\1b[31mred\c2\9b31m \e2\80\aetxet\7f")
      (func $read (result i32) (call $arg (i32.const 0) (i32.const 1024) (i32.const 4096)))
      (func (export "say") (local $n i32)
        (local.set $n (call $read))
        (call $emit (i32.const 0) (i32.const 4) (i32.const 1024) (local.get $n))
        (call $output (i32.const 1024) (local.get $n)))
      (func (export "fail") (call $abort (i32.const 1024) (call $read)))
      (func (export "hostile") (call $output (i32.const 16) (i32.const 36))))
    """#

/// What `hostile` returns; `say` is given it with a forged second line.
private let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31mred\u{9B}31m \u{202E}txet\u{7F}"
private let forged = hostile + "\nforged line 中文👍"

/// The demo consortium with `echo` v1 deployed (every lane serves v1).
private func echoChain() async throws -> Sandbox {
    let s = try Sandbox()
    try await s.ok("init", "--demo")
    let path = s.root.appendingPathComponent("echo.wat").path
    try echoContract.write(toFile: path, atomically: true, encoding: .utf8)
    try await s.ok("propose", "deploy-contract", "echo", "--version", "v1", "--file", path, "--as", "ops", "--json")
    try await s.vote(1, "approve", by: "alice", "bob", "carol")
    try await s.ok("execute", "1", "--as", "ops", "--json")
    return s
}

/// `text` shows the hostile text escaped, and holds no character a terminal would act on.
private func expectEscaped(_ text: String, _ what: String, forgedLine: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(text.contains("\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\u009b31m \\u202etxet\\x7f" + (forgedLine ? "\\nforged line 中文👍" : "")),
            "\(what) does not show the text escaped: \(text)", sourceLocation: sourceLocation)
    let raw = text.unicodeScalars.filter { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{7F}" || $0 == "\u{07}" }
    #expect(raw.isEmpty, "\(what) holds raw control characters \(raw.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    #expect(!text.contains("\nforged line"), "\(what) let the text forge a line", sourceLocation: sourceLocation)
}

/// The `data` of every ContractEvent in JSON objects (one array, or one object per line).
private func contractData(_ json: String) throws -> [String] {
    let objects: [[String: Any]]
    if let all = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] {
        objects = all
    } else {
        objects = try json.split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    return objects.filter { $0["type"] as? String == "ContractEvent" }.compactMap { $0["data"] as? String }
}

@Suite struct HostileTextEndToEndTests {
    @Test func callEventsAndErrorsShowOnChainTextEscapedAndJSONExact() async throws {
        let s = try await echoChain()
        let said = try await s.ok("call", "echo", "say", forged, "--as", "alice")
        expectEscaped(said.stdout, "call")
        #expect(said.stdout.filter { $0 == "\n" }.count == 1, "call prints one line: \(said.stdout)")

        let exact = try await s.ok("call", "echo", "say", forged, "--as", "alice", "--json").object()
        #expect(exact["result"] as? String == forged, "call --json returns the exact text")

        let events = try await s.ok("events")
        expectEscaped(events.stdout, "events")
        #expect(try await contractData(s.ok("events", "--json").stdout) == [forged, forged], "events --json holds the exact text")

        // blocks shows each transaction's payload, the call's arguments included.
        expectEscaped(try await s.ok("blocks").stdout, "blocks")

        // A contract's refusal quotes its message: one line, escaped.
        let refused = try await s.refused(["call", "echo", "fail", forged, "--as", "alice"], code: 1)
        expectEscaped(refused.stderr, "the error", forgedLine: false)
    }

    @Test func followingEventsShowsThemEscapedAndJSONExact() async throws {
        let s = try await echoChain()
        let service = try await ServiceProcess(s)
        defer { service.kill() }
        // Both follow from the next height, named, so neither misses the call however slowly it starts.
        let from = "\(try await s.status().height + 1)"
        let human = try Background(s, ["events", "--follow", "--from", from])
        let json = try Background(s, ["events", "--follow", "--json", "--from", from])
        try await s.ok("call", "echo", "say", forged, "--as", "alice")
        #expect(await json.waitForLines(containing: "ContractEvent", count: 1))
        #expect(await human.waitForLines(containing: "ContractEvent", count: 1))
        human.child.signal(SIGTERM)
        json.child.signal(SIGTERM)
        _ = await human.wait()
        _ = await json.wait()
        expectEscaped(human.stdout, "events --follow")
        #expect(try contractData(json.stdout).allSatisfy { $0 == forged } && !contractData(json.stdout).isEmpty,
                "events --follow --json holds the exact text: \(json.stdout)")
        // JSON requires only C0 controls escaped (ESC as \u001b); DEL, C1 and U+202E, legal raw, are
        // escaped too, so a follower watched on a terminal is as safe as the text output.
        #expect(json.stdout.contains("\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mred\\u009b31m \\u202etxet\\u007f"), "\(json.stdout)")
        #expect(!json.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{7F}" })
    }

    /// The console in tmux: a `:call` result with escape sequences shows escaped on the screen (the
    /// terminal's title and screen untouched) and in govconsole.log; Chinese text draws whole.
    @Test func theConsoleShowsAndLogsOnChainTextEscaped() async throws {
        let s = try await echoChain()
        let tmux = ConsoleTmuxTests.Tmux()
        defer { tmux.kill() }
        let exe = try Sandbox.executable().path
        try await tmux.start("\(exe) --data \(s.data) --no-traffic", width: 160, height: 48)
        _ = try await tmux.waitFor("Proposals")
        try await tmux.keys(":")
        try await tmux.keys("call echo hostile", "Enter")
        let screen = try await tmux.waitFor("result \\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\u009b31m \\u202etxet\\x7f")
        #expect(screen.contains("Proposals"), "the screen was cleared:\n\(screen)")
        let title = try await tmux.run(["display-message", "-p", "-t", tmux.session, "#{pane_title}"])
        #expect(!title.contains("PWNED"), "the terminal's title was set: \(title)")

        try await tmux.keys(":")
        try await tmux.keys("-l", "call echo say 中文👍")
        try await tmux.keys("Enter")
        let wide = try await tmux.waitFor("result 中文👍")
        // The panes' bottom border still closes in the last column.
        let border = try #require(wide.split(separator: "\n").last { $0.contains("└") })
        #expect(border.hasSuffix("┘"), "\(wide)")
        // Wide text inside a border: the filter shows in the Proposals box's title, and the border goes
        // on right after it, each wide character drawn once in its two cells.
        try await tmux.keys("/")
        try await tmux.keys("-l", "中文")
        try await tmux.keys("Enter")
        let titled = try await tmux.waitFor("filter: 中文")
        let top = try #require(titled.split(separator: "\n").first { $0.contains("filter: 中文") })
        #expect(top.contains("┌─ Proposals  filter: 中文 ──"), "\(top)")
        try await tmux.keys("q")

        let log = try String(contentsOfFile: s.data + "/govconsole.log", encoding: .utf8)
        expectEscaped(log, "govconsole.log", forgedLine: false)
        #expect(log.contains("result 中文👍"))
    }
}
