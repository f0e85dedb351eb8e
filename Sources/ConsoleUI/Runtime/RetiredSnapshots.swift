import Dispatch

/// `update`, as the console loop runs it. A snapshot replacing another leaves the old one, with its
/// electorate's votes and pending voters and every member, to be freed; freeing that on the loop's
/// thread cost a frame time that grew with the consortium, so another thread frees it.
public func updateFreeingOffLoop(_ s: inout ConsoleState, _ message: ConsoleMessage) -> [EngineCommand] {
    guard case .snapshot = message, let old = s.snapshot else { return update(&s, message) }
    defer { RetiredSnapshots.queue.async { withExtendedLifetime(old) {} } }
    return update(&s, message)
}

enum RetiredSnapshots {
    static let queue = DispatchQueue(label: "govconsole-retired-snapshots", qos: .utility)
}
