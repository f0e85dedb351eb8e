/// The traffic class of a transaction (patent claim 5). Governance transactions travel on `production`.
public enum Lane: String, Sendable, CaseIterable, Codable, Comparable {
    case prerelease, gray, production

    package var tag: UInt8 {
        switch self {
        case .prerelease: 0
        case .gray: 1
        case .production: 2
        }
    }

    package init(tag: UInt8) throws(DecodingFailure) {
        switch tag {
        case 0: self = .prerelease
        case 1: self = .gray
        case 2: self = .production
        default: throw DecodingFailure("unknown lane tag \(tag)")
        }
    }

    public static func < (a: Lane, b: Lane) -> Bool { a.tag < b.tag }
}
