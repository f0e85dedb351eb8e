/// Mean wall-clock time a node-logic version took per transaction it processed.
public struct ProcessingTime: Sendable, Hashable {
    public private(set) var count: UInt64 = 0
    public private(set) var totalMicroseconds: UInt64 = 0

    mutating func add(_ d: Duration) {
        count += 1
        totalMicroseconds += UInt64(max(0, d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000))
    }

    public var meanMicroseconds: UInt64 { count == 0 ? 0 : totalMicroseconds / count }
}
