import Dispatch

/// `update`, as the console loop runs it. A snapshot replacing another leaves the old one, with its
/// electorate's votes and pending voters and every member, to be freed; freeing that on the loop's
/// thread cost a frame time that grew with the consortium, so another thread frees it.
public func updateFreeingOffLoop(_ s: inout ConsoleState, _ message: ConsoleMessage) -> [EngineCommand] {
    guard case .snapshot = message, s.snapshot != nil else { return update(&s, message) }
    // The box holds the only reference once `update` has replaced the snapshot, whichever thread is faster.
    let retired = RetiredSnapshot(s.snapshot)
    let effects = update(&s, message)
    RetiredSnapshot.queue.async { retired.snapshot = nil }
    return effects
}

/// Handed from the loop to the freeing queue and touched by one of them at a time.
private final class RetiredSnapshot: @unchecked Sendable {
    static let queue = DispatchQueue(label: "govconsole-retired-snapshots", qos: .utility)
    var snapshot: ConsoleSnapshot?
    init(_ snapshot: ConsoleSnapshot?) { self.snapshot = snapshot }
}
