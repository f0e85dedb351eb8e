
/// The right, granted when a proposal passes, for its proposer to execute exactly that operation on
/// exactly that target, once, before it expires.
public struct Permission: Hashable, Sendable {
    public let proposal: UInt64
    public let holder: String
    public let operation: OperationKind
    public let target: String
    public let grantedAt: UInt64
    public let expiresAt: UInt64
    public package(set) var recordedState: PermissionState

    public func state(at now: UInt64) -> PermissionState {
        recordedState == .granted && now >= expiresAt ? .expired : recordedState
    }
}

public enum PermissionState: String, Sendable, Codable {
    case none, granted, consumed, expired
}
