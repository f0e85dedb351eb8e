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

    public init(name: String, time: UInt64, policy: Policy, members: [Member], nodes: [NodeSpec]) {
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
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        name = try r.string()
        time = try r.u64()
        policy = try r.decode()
        members = try r.array { r throws(DecodingFailure) in try r.decode(Member.self) }
        nodes = try r.array { r throws(DecodingFailure) in
            NodeSpec(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        }
    }
}
