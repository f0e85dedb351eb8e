import ChainPrimitives

/// A voter's answer to its `VoteRequested` event.
public enum Choice: String, Sendable, CaseIterable, Codable {
    case approve, reject, abstain

    var tag: UInt8 {
        switch self {
        case .approve: 0
        case .reject: 1
        case .abstain: 2
        }
    }

    init(tag: UInt8) throws(DecodingFailure) {
        switch tag {
        case 0: self = .approve
        case 1: self = .reject
        case 2: self = .abstain
        default: throw DecodingFailure("unknown choice tag \(tag)")
        }
    }
}

/// One voter of a proposal's snapshotted electorate and the id of the vote event addressed to it.
/// The key is part of the record so that a later member who reuses the name is not this elector.
public struct Elector: Hashable, Sendable {
    public let name: String
    public let key: PublicKey
    public let weight: UInt64
    public let request: UInt64
}
