import ChainPrimitives
import Governance
import Rollout

/// Everything the chain knows after applying its blocks. Rebuilt by replay on open.
public struct ChainState: Sendable {
    public package(set) var genesisHash: Hash256
    public package(set) var height: UInt64
    public package(set) var head: Hash256
    public package(set) var time: UInt64
    public package(set) var management: ManagementState
    /// The last nonce each sender used; the next must be exactly one more.
    public package(set) var nonces: [String: UInt64] = [:]
    public package(set) var nodes: [NodeRecord]
    public package(set) var transactionCount: UInt64 = 0
    /// Each target contract's key-value storage, by contract name: shared by all its versions.
    public package(set) var contractStorage: [String: [[UInt8]: [UInt8]]] = [:]

    package init(genesisBlock: Block, genesis: Genesis) {
        genesisHash = genesisBlock.hash
        height = 0
        head = genesisBlock.hash
        time = genesis.time
        management = ManagementState(policy: genesis.policy, members: genesis.members)
        for c in genesis.contracts {
            for v in c.versions {
                let hash = Hash256.of(v.code)
                management.code[hash] = v.code
                if management.contracts[c.name] == nil {
                    management.contracts[c.name] = DeployedContract(name: c.name, firstVersion: v.version, code: hash)
                } else {
                    management.contracts[c.name]!.add(v.version, hash)
                }
            }
        }
        if let first = genesis.nodes.first { management.nodeRouting = RoutingPolicy(old: first.logic) }
        nodes = genesis.nodes.map { NodeRecord(name: $0.name, logic: $0.logic) }
        // The first node signed the genesis block.
        if !nodes.isEmpty { nodes[0].blocksProposed = 1 }
    }

    public func nextNonce(of sender: String) -> UInt64 { (nonces[sender] ?? 0) + 1 }

    public func node(_ name: String) -> NodeRecord? { nodes.first { $0.name == name } }

    /// Block proposers rotate through the nodes by height, so every node takes its turn.
    public func proposer(forHeight height: UInt64) -> String {
        nodes[Int(height % UInt64(nodes.count))].name
    }
}
