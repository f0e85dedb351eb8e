import EtcdClient
import Testing

/// The conditional append the ordering is built on: create-only, after an existing predecessor, repeatable.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct AppendTests {
    @Test func theFirstAppendCreatesTheKey() async throws {
        let key = freshPrefix("append") + bytes("0001")
        try await withClient { client in
            guard case let .created(revision) = try await client.append(key, value: bytes("batch"), after: nil) else {
                Issue.record("the first append did not create the key")
                return
            }
            let stored = try #require(try await client.get(key))
            #expect(stored.value == bytes("batch") && stored.createRevision == revision)
        }
    }

    @Test func repeatingAnAppendAnswersTakenWithTheStoredValue() async throws {
        let key = freshPrefix("repeat") + bytes("0001")
        try await withClient { client in
            let first = try await client.append(key, value: bytes("mine"), after: nil)
            guard case let .created(revision) = first else { throw Failure("the first append answered \(first)") }
            // The repeat of a try that (say) timed out after committing: the caller sees its own value.
            let repeated = try await client.append(key, value: bytes("mine"), after: nil)
            #expect(repeated == .taken(KeyValue(key: key, value: bytes("mine"), createRevision: revision, modRevision: revision, version: 1)))
            let other = try await client.append(key, value: bytes("theirs"), after: nil)
            #expect(other == repeated)
            #expect(try await client.get(key)?.value == bytes("mine"))
        }
    }

    @Test func anAppendAfterAMissingPredecessorIsRefusedAndWritesNothing() async throws {
        let prefix = freshPrefix("gap")
        let one = prefix + bytes("0001"), two = prefix + bytes("0002")
        try await withClient { client in
            #expect(try await client.append(two, value: bytes("early"), after: one) == .predecessorMissing)
            #expect(try await client.get(two) == nil)
            _ = try await client.append(one, value: bytes("first"), after: nil)
            guard case .created = try await client.append(two, value: bytes("second"), after: one) else {
                throw Failure("the append after an existing predecessor did not create its key")
            }
            #expect(try await client.get(two)?.value == bytes("second"))
        }
    }

    @Test func concurrentAppendersAtOneKeyCreateItExactlyOnce() async throws {
        let key = freshPrefix("race") + bytes("0001")
        try await withClient { client in
            let outcomes = try await withThrowingTaskGroup(of: (Int, AppendOutcome).self) { group in
                for appender in 0..<8 {
                    group.addTask { (appender, try await client.append(key, value: bytes("from-\(appender)"), after: nil)) }
                }
                return try await group.reduce(into: [(Int, AppendOutcome)]()) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .created = $0.1 { true } else { false } }
            try #require(winners.count == 1, "\(winners.count) appenders created the key")
            let winner = try #require(try await client.get(key))
            #expect(winner.value == bytes("from-\(winners[0].0)"))
            for (_, outcome) in outcomes where outcome != winners[0].1 {
                #expect(outcome == .taken(winner))
            }
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
