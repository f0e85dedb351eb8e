import ChainPrimitives
import DurableStorage
import Foundation

/// The marker `govconsole join` leaves in an organisation's data directory, `cluster.json`: this
/// directory runs node `node` of the consortium whose block 0 hashes to `genesis`, and holds only that
/// node's key. A directory `init` made holds the whole consortium and has no marker.
public struct ClusterMembership: Sendable, Hashable, Codable {
    public static let fileName = "cluster.json"

    public let node: String
    public let genesis: Hash256

    public init(node: String, genesis: Hash256) {
        self.node = node
        self.genesis = genesis
    }

    public static func path(in directory: DataDirectory) -> String { directory.path + "/" + fileName }

    /// The marker in `directory`, or nil when there is none (the directory holds a whole consortium).
    public static func read(from directory: DataDirectory) throws(ClusterMembershipError) -> ClusterMembership? {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path, reason: "it cannot be read") }
        do {
            return try JSONDecoder().decode(ClusterMembership.self, from: data)
        } catch {
            throw .unreadable(path: path, reason: "it is not {\"node\": NAME, \"genesis\": HEX}")
        }
    }

    /// Writes the marker into `directory`, durably and whole (written beside it, then renamed).
    public func write(to directory: DataDirectory) throws(WriteFault) {
        let path = ClusterMembership.path(in: directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding two strings cannot fail.
        let json = (try? encoder.encode(self)) ?? Data()
        try DiskWrite.replace(path, staging: path + ".tmp", with: Array(json) + [0x0A])
    }

    private enum CodingKeys: String, CodingKey { case node, genesis }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(String.self, forKey: .node)
        let hex = try c.decode(String.self, forKey: .genesis)
        guard let hash = Hash256(hex: hex) else {
            throw DecodingError.dataCorruptedError(forKey: .genesis, in: c, debugDescription: "not a 64-digit hex hash")
        }
        genesis = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(node, forKey: .node)
        try c.encode(genesis.hex, forKey: .genesis)
    }
}

/// Why a data directory's `cluster.json` could not be used.
public enum ClusterMembershipError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "\(path) says which node this directory runs, but \(reason); restore it from a backup or run 'govconsole join' again into a new directory"
        }
    }
}
