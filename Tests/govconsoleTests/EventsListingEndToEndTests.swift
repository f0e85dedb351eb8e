import Foundation
import Testing

/// `events` without `--follow` lists from `--from HEIGHT`, at most `--limit N` events, as text or as
/// one JSON array, embedded or through a service.
@Suite struct EventsListingEndToEndTests {
    struct EventJSON: Decodable, Equatable {
        let type: String
        let height: UInt64
        let tx: String?
    }

    func ledger() async throws -> Sandbox {
        let s = try Sandbox()
        try await s.ok("init", "--demo")
        try await s.ok("propose", "add-member", "frank", "--as", "ops")
        try await s.vote(1, "approve", by: "alice", "bob")
        try await s.ok("propose", "remove-member", "erin", "--as", "ops")
        return s
    }

    func events(_ s: Sandbox, _ args: String...) async throws -> [EventJSON] {
        try await s.okArgs(["events", "--json"] + args).decode([EventJSON].self)
    }

    @Test func listsFromAHeightUpToALimit() async throws {
        let s = try await ledger()
        let all = try await events(s)
        let head = try await s.status().height
        #expect(all.map(\.height) == all.map(\.height).sorted())
        #expect(all.last?.height == head)
        let middle = all[all.count / 2].height
        #expect(try await events(s, "--from", "\(middle)") == all.filter { $0.height >= middle })
        #expect(try await events(s, "--from", "\(middle)", "--limit", "3") == Array(all.filter { $0.height >= middle }.prefix(3)))
        #expect(try await events(s, "--limit", "1") == [all[0]])
        #expect(try await events(s, "--limit", "100000") == all)
        #expect(try await events(s, "--from", "\(head + 5)").isEmpty)

        // Text: the header, then one aligned line per event.
        let text = try await s.ok("events", "--from", "\(middle)", "--limit", "2").stdout.split(separator: "\n")
        #expect(text.count == 3)
        #expect(text.first?.hasPrefix("HEIGHT") == true)
        #expect(text.dropFirst().allSatisfy { $0.hasPrefix("\(middle)") })
        #expect(try await s.ok("events").stdout.split(separator: "\n").count == all.count + 1)
        #expect(try await s.ok("events", "--from", "\(head + 5)").stdout == "no events from height \(head + 5)\n")
    }

    @Test func badValuesAreRefusedInOneLine() async throws {
        let s = try await ledger()
        try await s.refused(["events", "--limit", "0"], code: 64, mentioning: "--limit must be a positive number")
        try await s.refused(["events", "--limit", "-3"], code: 64, mentioning: "--limit")
        try await s.refused(["events", "--limit", "many"], code: 64, mentioning: "--limit")
        try await s.refused(["events", "--from", "-1"], code: 64, mentioning: "--from")
        try await s.refused(["events", "--from", "top"], code: 64, mentioning: "--from")
        try await s.refused(["events", "--follow", "--limit", "5"], code: 64, mentioning: "--limit goes without --follow")
    }

    @Test func aServiceListsTheSamePages() async throws {
        let s = try await ledger()
        let embedded = try await events(s, "--from", "2", "--limit", "4")
        let service = try await ServiceProcess(s)
        defer { service.kill() }
        #expect(await (try s.ok("status", "--json").object()["engine"] as? String)?.hasPrefix("service") == true)
        #expect(try await events(s, "--from", "2", "--limit", "4") == embedded)
        #expect(try await events(s) == (try events(s, "--limit", "100000")))
    }
}
