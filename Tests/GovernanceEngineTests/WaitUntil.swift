import Testing

/// Polls a condition that only progress can make true; the limit is there to fail, not to pace.
func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
    let limit = ContinuousClock.now + .seconds(240)
    while !(await condition()) {
        try #require(ContinuousClock.now < limit, "gave up waiting until \(what)")
        try await Task.sleep(for: .milliseconds(5))
    }
}
