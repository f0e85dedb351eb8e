import ChainPrimitives
import Rollout

// The management state's part of the chain state's canonical encoding (see `ChainState`): every map in
// sorted key order, derived indexes included.
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
        var lastRef = -1
        proposals = try r.array { r throws(DecodingFailure) in try Proposal(from: &r, electorates: electorates, previous: &lastRef) }
        guard electorates.count == lastRef + 1 else { throw DecodingFailure("an electorate no proposal refers to") }
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

    /// `previous` is the electorate the proposal before referred to (-1 before the first): references
    /// come in order of first use, a new electorate only when it differs from the last, as `encode`
    /// writes them, so that bytes that decode re-encode to themselves.
    init(from r: inout ByteReader, electorates: [Electorate], previous: inout Int) throws(DecodingFailure) {
        id = try r.u64(); proposer = try r.string(limit: Limits.maxNameBytes); proposerKey = try r.publicKey()
        operation = try r.decode()
        submittedAt = try r.u64(); submittedHeight = try r.u64(); deadline = try r.u64()
        quorum = try r.ratio(); threshold = try r.ratio(); permissionTTL = try r.u64()
        let ref = Int(try r.u32())
        guard ref < electorates.count else { throw DecodingFailure("proposal \(id) refers to electorate \(ref) of \(electorates.count)") }
        guard ref == previous || (ref == previous + 1 && (previous < 0 || electorates[ref] != electorates[previous])) else {
            throw DecodingFailure("proposal \(id) refers to electorate \(ref) out of the order of first use")
        }
        previous = ref
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
