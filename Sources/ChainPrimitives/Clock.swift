import Foundation

/// Milliseconds since the Unix epoch. Injected so tests can move time without sleeping.
public typealias ChainClock = @Sendable () -> UInt64

public enum WallClock {
    public static let now: ChainClock = { UInt64(Date().timeIntervalSince1970 * 1000) }
}
