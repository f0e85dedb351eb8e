import ChainPrimitives
import Rollout

/// A target contract as the management contract keeps it: its versions' code hashes, the routing policy
/// for calls to it (claim 4), and each version's recent record.
public struct DeployedContract: Hashable, Sendable {
    public let name: String
    /// Versions in the order they were deployed.
    public package(set) var versions: [String] = []
    public package(set) var code: [String: Hash256] = [:]
    public package(set) var routing: RoutingPolicy
    public package(set) var stats: [String: RolloutStats] = [:]

    package init(name: String, firstVersion: String, code hash: Hash256) {
        self.name = name
        routing = RoutingPolicy(old: firstVersion)
        add(firstVersion, hash)
    }

    package mutating func add(_ version: String, _ hash: Hash256) {
        versions.append(version)
        code[version] = hash
    }
}
