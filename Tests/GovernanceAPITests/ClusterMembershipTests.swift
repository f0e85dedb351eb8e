import ChainPrimitives
import Foundation
import GovernanceAPI
import Testing

/// `cluster.json`, the marker `join` leaves: what it writes reads back, a whole-consortium directory
/// has none, and a damaged one is refused with its path rather than taken for no marker.
struct ClusterMembershipTests {
    let directory: DataDirectory

    init() throws {
        directory = DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
    }

    @Test func whatIsWrittenReadsBackAsJSONNamingTheNodeAndTheGenesis() throws {
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        #expect(try ClusterMembership.read(from: directory) == nil)
        let genesis = Hash256.of(Array("block 0".utf8))
        try ClusterMembership(node: "node-3", genesis: genesis).write(to: directory)

        #expect(try ClusterMembership.read(from: directory) == ClusterMembership(node: "node-3", genesis: genesis))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ClusterMembership.path(in: directory))))
        #expect(json as? [String: String] == ["node": "node-3", "genesis": genesis.hex])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cluster.json"], "no staging file left")
    }

    @Test(arguments: ["", "{\"node\": \"node-3\"}", "{\"node\": \"node-3\", \"genesis\": \"not hex\"}", "[1, 2]"])
    func aDamagedMarkerIsRefusedWithItsPath(content: String) throws {
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let path = ClusterMembership.path(in: directory)
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ClusterMembershipError.unreadable(path: path, reason: "it is not {\"node\": NAME, \"genesis\": HEX}")) {
            try ClusterMembership.read(from: directory)
        }
    }
}
