/// The canonical encoding of the chain state: what a state root hashes and what a snapshot stores.
/// Every map is written in sorted key order and every field in declaration order, so equal states have
/// equal bytes on every machine. Derived indexes are written too, so a decoded state is exactly the
/// state that was encoded, with no rebuilding step to get wrong.
extension ChainState: BinaryCodable {
    public static let encodingVersion: UInt8 = 2

    /// SHA-256 of the canonical encoding.
    public var root: Hash256 { Hash256.of(encoded) }

    public func encode(to w: inout ByteWriter) {
        w.u8(Self.encodingVersion)
        w.hash(genesisHash); w.u64(height); w.hash(head); w.u64(time)
        w.encode(management)
        w.map(nonces) { $0.u64($1) }
        w.array(nodes) { $0.encode($1) }
        w.u64(transactionCount)
        w.array(contractStorage.keys.sorted()) { w, name in
            w.string(name)
            let storage = contractStorage[name]!
            w.array(storage.keys.sorted { $0.lexicographicallyPrecedes($1) }) { w, key in
                w.data(key); w.data(storage[key]!)
            }
        }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        let v = try r.u8()
        guard v == Self.encodingVersion else { throw DecodingFailure("state format \(v) is not this govconsole's (\(Self.encodingVersion))") }
        genesisHash = try r.hash(); height = try r.u64(); head = try r.hash(); time = try r.u64()
        management = try r.decode()
        nonces = try r.map { r throws(DecodingFailure) in try r.u64() }
        nodes = try r.array { r throws(DecodingFailure) in try r.decode(NodeRecord.self) }
        transactionCount = try r.u64()
        contractStorage = [:]
        var lastName: String?
        for _ in 0..<(try r.count()) {
            let name = try r.string(limit: Limits.maxNameBytes)
            if let lastName, name <= lastName { throw DecodingFailure("contract storage out of order at '\(name)'") }
            lastName = name
            var storage: [[UInt8]: [UInt8]] = [:]
            var lastKey: [UInt8]?
            for _ in 0..<(try r.count()) {
                let key = try r.data()
                if let lastKey, !lastKey.lexicographicallyPrecedes(key) { throw DecodingFailure("storage keys of \(name) out of order") }
                lastKey = key
                storage[key] = try r.data()
            }
            contractStorage[name] = storage
        }
    }
}

extension ManagementState: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.encode(policy)
        w.map(members) { $0.encode($1) }
        // Electorates are written once each, in order of first use, and proposals refer to them by
        // position: a hundred proposals over ten thousand members would otherwise repeat a million seats.
        var electorates: [Electorate] = []
        var refs: [Int] = []
        for p in proposals {
            if electorates.last != p.electorate { electorates.append(p.electorate) }
            refs.append(electorates.count - 1)
        }
        w.array(electorates) { w, e in
            w.array(e.seats) { w, seat in w.string(seat.name); w.raw(seat.key.bytes); w.u64(seat.weight) }
        }
        w.array(Array(zip(proposals, refs))) { w, pr in pr.0.encode(to: &w, electorate: pr.1) }
        w.array(permissions.keys.sorted()) { w, id in w.u64(id); w.encode(permissions[id]!) }
        w.array(keyOwners.keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { w, key in
            w.raw(key.bytes); w.string(keyOwners[key]!)
        }
        w.array(retiredKeys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { $0.raw($1.bytes) }
        w.array(open.sorted()) { $0.u64($1) }
        w.map(openByProposer) { $0.u64(UInt64($1)) }
        w.array(livePermissions.sorted()) { $0.u64($1) }
        w.u64(nextRequest)
        w.map(contracts) { $0.encode($1) }
        w.array(code.keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { w, hash in w.hash(hash); w.data(code[hash]!) }
        w.encode(nodeRouting)
        w.map(nodeStats) { $0.encode($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(policy: try r.decode(), members: [])
        members = try r.map { r throws(DecodingFailure) in try r.decode(Member.self) }
        guard members.allSatisfy({ $0.key == $0.value.name }) else { throw DecodingFailure("a member is filed under another name") }
        let electorates = try r.array { r throws(DecodingFailure) in
            let seats = try r.array(limit: Limits.maxMembers) { r throws(DecodingFailure) in
                Electorate.Seat(name: try r.string(limit: Limits.maxNameBytes), key: try r.publicKey(), weight: try r.u64())
            }
            // An electorate is written in name order with valid weights; nothing else is one.
            guard zip(seats, seats.dropFirst()).allSatisfy({ $0.name < $1.name }),
                  seats.allSatisfy({ $0.weight >= 1 && $0.weight <= Limits.maxWeight }) else {
                throw DecodingFailure("an electorate out of order or with an impossible weight")
            }
            return Electorate(seats)
        }
        proposals = try r.array { r throws(DecodingFailure) in try Proposal(from: &r, electorates: electorates) }
        let byBytes: (PublicKey, PublicKey) -> Bool = { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        try r.ascending({ r throws(DecodingFailure) in try r.u64() }, by: <) { r, id throws(DecodingFailure) in
            let permission = try r.decode(Permission.self)
            guard permission.proposal == id else { throw DecodingFailure("permission \(permission.proposal) filed under \(id)") }
            permissions[id] = permission
        }
        try r.ascending({ r throws(DecodingFailure) in try r.publicKey() }, by: byBytes) { r, key throws(DecodingFailure) in
            keyOwners[key] = try r.string(limit: Limits.maxNameBytes)
        }
        try r.ascending({ r throws(DecodingFailure) in try r.publicKey() }, by: byBytes) { _, key in retiredKeys.insert(key) }
        try r.ascending({ r throws(DecodingFailure) in try r.u64() }, by: <) { _, id in open.insert(id) }
        openByProposer = try r.map { r throws(DecodingFailure) in
            guard let n = Int(exactly: try r.u64()), n <= ManagementContract.maxOpenProposalsPerProposer else { throw DecodingFailure("open proposal count out of range") }
            return n
        }
        try r.ascending({ r throws(DecodingFailure) in try r.u64() }, by: <) { _, id in livePermissions.insert(id) }
        nextRequest = try r.u64()
        contracts = try r.map { r throws(DecodingFailure) in try r.decode(DeployedContract.self) }
        guard contracts.allSatisfy({ $0.key == $0.value.name }) else { throw DecodingFailure("a contract is filed under another name") }
        try r.ascending({ r throws(DecodingFailure) in try r.hash() }, by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) { r, hash throws(DecodingFailure) in
            let wasm = try r.data(limit: Limits.maxCodeBytes)
            guard Hash256.of(wasm) == hash else { throw DecodingFailure("code filed under a hash that is not its own") }
            code[hash] = wasm
        }
        nodeRouting = try r.decode()
        nodeStats = try r.map { r throws(DecodingFailure) in try r.decode(RolloutStats.self) }
        if let problem = crossReferenceProblem { throw DecodingFailure(problem) }
    }

    /// What the contract's code relies on without checking: indexes that point at real entries. A state
    /// read from a snapshot must hold these, or a later block would trap on it.
    var crossReferenceProblem: String? {
        let count = UInt64(proposals.count)
        for (i, p) in proposals.enumerated() where p.id != UInt64(i + 1) { return "proposal at \(i + 1) has id \(p.id)" }
        for id in open where id < 1 || id > count || proposals[Int(id - 1)].recordedStatus != .voting {
            return "open proposal \(id) is not a proposal being voted on"
        }
        for id in permissions.keys where id < 1 || id > count { return "permission of unknown proposal \(id)" }
        for id in livePermissions where permissions[id]?.recordedState != .granted { return "live permission \(id) is not granted" }
        for c in contracts.values {
            guard Set(c.versions) == Set(c.code.keys), c.code.values.allSatisfy({ code[$0] != nil }) else {
                return "contract \(c.name) names code it does not have"
            }
            guard c.code[c.routing.old] != nil, c.routing.new.map({ c.code[$0] != nil }) ?? true else {
                return "contract \(c.name) routes to a version it does not have"
            }
        }
        return nil
    }
}

extension Proposal {
    func encode(to w: inout ByteWriter, electorate ref: Int) {
        w.u64(id); w.string(proposer); w.raw(proposerKey.bytes); w.encode(operation)
        w.u64(submittedAt); w.u64(submittedHeight); w.u64(deadline)
        w.u64(quorum.ppm); w.u64(threshold.ppm); w.u64(permissionTTL)
        w.u32(UInt32(ref)); w.u64(firstRequest)
        w.data(ballots)
        w.u64(tally.approve); w.u64(tally.reject); w.u64(tally.abstain)
        w.string(recordedStatus.rawValue)
        w.optional(closedAt) { $0.u64($1) }
    }

    init(from r: inout ByteReader, electorates: [Electorate]) throws(DecodingFailure) {
        id = try r.u64(); proposer = try r.string(limit: Limits.maxNameBytes); proposerKey = try r.publicKey()
        operation = try r.decode()
        submittedAt = try r.u64(); submittedHeight = try r.u64(); deadline = try r.u64()
        quorum = try r.ratio(); threshold = try r.ratio(); permissionTTL = try r.u64()
        let ref = Int(try r.u32())
        guard ref < electorates.count else { throw DecodingFailure("proposal \(id) refers to electorate \(ref) of \(electorates.count)") }
        electorate = electorates[ref]
        firstRequest = try r.u64()
        ballots = try r.data(limit: Limits.maxMembers)
        guard ballots.count == electorate.count, ballots.allSatisfy({ $0 <= 3 }) else { throw DecodingFailure("proposal \(id) has malformed ballots") }
        tally = TallyCounts(approve: try r.u64(), reject: try r.u64(), abstain: try r.u64())
        // The tally is the sum of the ballots' weights; a later vote subtracts from it.
        var sums = TallyCounts()
        for (i, b) in ballots.enumerated() where b != 0 { sums[try Choice(tag: b - 1)] += electorate.seats[i].weight }
        guard sums == tally else { throw DecodingFailure("proposal \(id)'s tally disagrees with its ballots") }
        recordedStatus = try r.named(ProposalStatus.self)
        closedAt = try r.optional { r throws(DecodingFailure) in try r.u64() }
    }
}

extension Permission: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u64(proposal); w.string(holder); w.string(operation.rawValue); w.string(target)
        w.u64(grantedAt); w.u64(expiresAt); w.string(recordedState.rawValue)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        proposal = try r.u64(); holder = try r.string(limit: Limits.maxNameBytes); operation = try r.named(OperationKind.self)
        target = try r.string(limit: Limits.maxNameBytes); grantedAt = try r.u64(); expiresAt = try r.u64()
        recordedState = try r.named(PermissionState.self)
    }
}

extension DeployedContract: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name)
        w.array(versions) { $0.string($1) }
        w.map(code) { $0.hash($1) }
        w.encode(routing)
        w.map(stats) { $0.encode($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        name = try r.string(limit: Limits.maxNameBytes)
        versions = try r.array { r throws(DecodingFailure) in try r.string(limit: Limits.maxNameBytes) }
        code = try r.map { r throws(DecodingFailure) in try r.hash() }
        routing = try r.decode()
        stats = try r.map { r throws(DecodingFailure) in try r.decode(RolloutStats.self) }
    }
}

extension NodeRecord: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(name); w.string(logic); w.u64(blocksProposed); w.u64(transactionsHandled); w.u64(faultRate)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(name: try r.string(limit: Limits.maxNameBytes), logic: try r.string(limit: Limits.maxNameBytes))
        blocksProposed = try r.u64(); transactionsHandled = try r.u64(); faultRate = try r.u64()
    }
}

// Helpers for the state's maps and named enums.
extension ByteWriter {
    /// A string-keyed map in key order.
    mutating func map<V>(_ m: [String: V], _ body: (inout ByteWriter, V) -> Void) {
        array(m.keys.sorted()) { w, key in w.string(key); body(&w, m[key]!) }
    }
}

extension ByteReader {
    /// A count written by `array` or `map`; each entry takes at least a byte, so more than remain is a lie.
    mutating func count() throws(DecodingFailure) -> Int {
        let n = Int(try u32())
        guard n <= remaining else { throw DecodingFailure("count \(n) is impossible here") }
        return n
    }

    /// A map written by `ByteWriter.map`: keys must come in strictly increasing order, so one map has one encoding.
    mutating func map<V>(_ body: (inout ByteReader) throws(DecodingFailure) -> V) throws(DecodingFailure) -> [String: V] {
        var out: [String: V] = [:]
        var last: String?
        for _ in 0..<(try count()) {
            let key = try string(limit: Limits.maxNameBytes)
            if let last, key <= last { throw DecodingFailure("map keys out of order at '\(key)'") }
            last = key
            out[key] = try body(&self)
        }
        return out
    }

    mutating func publicKey() throws(DecodingFailure) -> PublicKey { PublicKey(bytes: try raw(32))! }

    /// A collection written in strictly increasing key order, each key followed by whatever `each`
    /// reads: one set or map has exactly one encoding.
    mutating func ascending<K>(_ key: (inout ByteReader) throws(DecodingFailure) -> K, by less: (K, K) -> Bool,
                               _ each: (inout ByteReader, K) throws(DecodingFailure) -> Void) throws(DecodingFailure) {
        var last: K?
        for _ in 0..<(try count()) {
            let k = try key(&self)
            if let last, !less(last, k) { throw DecodingFailure("keys out of order or repeated") }
            last = k
            try each(&self, k)
        }
    }

    mutating func ratio() throws(DecodingFailure) -> Ratio {
        guard let r = Ratio(ppm: try u64()) else { throw DecodingFailure("ratio above 1") }
        return r
    }

    mutating func named<E: RawRepresentable<String>>(_: E.Type) throws(DecodingFailure) -> E {
        let raw = try string(limit: Limits.maxNameBytes)
        guard let e = E(rawValue: raw) else { throw DecodingFailure("unknown \(E.self) '\(raw)'") }
        return e
    }
}
