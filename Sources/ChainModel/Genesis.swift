import ChainPrimitives
import Governance

/// What block 0 holds: the consortium as it starts.
public struct Genesis: Hashable, Sendable {
    public struct NodeSpec: Hashable, Sendable {
        public let name: String
        public let logic: String
        public init(name: String, logic: String) { self.name = name; self.logic = logic }
    }

    public let name: String
    public let time: UInt64
    public let policy: Policy
    /// Admins, voters and nodes with their public keys.
    public let members: [Member]
    public let nodes: [NodeSpec]
    /// Target contracts deployed from the start: name and its versions' Wasm binaries, oldest first.
    public let contracts: [GenesisContract]

    public struct GenesisContract: Hashable, Sendable {
        public let name: String
        public let versions: [Version]
        public struct Version: Hashable, Sendable {
            public let version: String
            public let code: [UInt8]
            public init(version: String, code: [UInt8]) { self.version = version; self.code = code }
        }
        public init(name: String, versions: [Version]) { self.name = name; self.versions = versions }
    }

    public init(name: String, time: UInt64, policy: Policy, members: [Member], nodes: [NodeSpec], contracts: [GenesisContract] = []) {
        self.contracts = contracts
        self.name = name
        self.time = time
        self.policy = policy
        self.members = members
        self.nodes = nodes
    }
}

extension Genesis: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name); w.u64(time); w.encode(policy)
        w.array(members) { $0.encode($1) }
        w.array(nodes) { $0.string($1.name); $0.string($1.logic) }
        w.array(contracts) { w, c in
            w.string(c.name)
            w.array(c.versions) { $0.string($1.version); $0.data($1.code) }
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        name = try r.string()
        time = try r.u64()
        policy = try r.decode()
        members = try r.array { r throws(DecodingFailure) in try r.decode(Member.self) }
        nodes = try r.array { r throws(DecodingFailure) in
            NodeSpec(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        }
        contracts = try r.array { r throws(DecodingFailure) in
            GenesisContract(name: try r.string(limit: Limits.maxNameBytes), versions: try r.array { r throws(DecodingFailure) in
                GenesisContract.Version(version: try r.string(limit: Limits.maxNameBytes), code: try r.data(limit: Limits.maxCodeBytes))
            })
        }
    }
}
