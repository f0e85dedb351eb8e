import ChainPrimitives

/// The signed part of a block. Its SHA-256 is the block hash, so it commits to the transactions
/// (Merkle root of their ids), to their results (hash of receipts and block events) and, every
/// `stateRootInterval` blocks, to the whole state.
public struct BlockHeader: Hashable, Sendable {
    /// The format this govconsole seals blocks in.
    public static let version: UInt8 = 6
    /// From this format on, a block's transactions were each admitted by the node the node routing policy
    /// picked in the state it was applied to, and replay checks it. Format 3 blocks were sealed by a
    /// platform that routed a whole batch from one reading of the policy, so a policy switch inside a
    /// batch (a health-gate rollback) left later transactions with the node it picked before; they replay
    /// without the check. A ledger may go from format 3 to 4 once, never back.
    public static let routedFormat: UInt8 = 4
    /// From this format on, a checkpoint block carries the root of the state `checkpointLag` blocks
    /// before it, not of the state it was built on. Hashing a big state takes tens of milliseconds; with
    /// the lag it is done on another thread while the blocks in between are sealed, instead of holding up
    /// every transaction waiting for the checkpoint block.
    public static let laggedRootFormat: UInt8 = 5
    /// From this format on, any consortium node may propose a block, not only the one whose turn it is by
    /// height. Engines of several organisations, each holding one node's key, place their blocks in one
    /// order through an ordering service; whichever node's block takes the place proposes it. A single
    /// engine still rotates proposers by height.
    public static let anyNodeFormat: UInt8 = 6
    /// How many blocks before a format 5 checkpoint the state it commits to stands.
    public static let checkpointLag: UInt64 = 32
    /// The formats this govconsole reads.
    public static let readable: ClosedRange<UInt8> = 3...6
    /// Every this many blocks the header carries `stateRoot`; elsewhere it is zero. Hashing the whole
    /// state costs time in proportion to its size, so it is done periodically, not per block.
    public static let stateRootInterval: UInt64 = 128

    public let height: UInt64
    public let previous: Hash256
    public let time: UInt64
    public let proposer: String
    public let txRoot: Hash256
    public let resultsRoot: Hash256
    /// At a checkpoint height, the root of a state before the block (it includes the previous block's
    /// hash, so it cannot be the state after this one); zero elsewhere. In formats 3–4 the state the block
    /// was built on, as Tendermint's app hash; from format 5 the state `checkpointLag` blocks earlier.
    public let stateRoot: Hash256
    /// The format the block was sealed in (see `routedFormat`); part of what its hash covers.
    public let format: UInt8

    public init(height: UInt64, previous: Hash256, time: UInt64, proposer: String, txRoot: Hash256, resultsRoot: Hash256,
                stateRoot: Hash256 = .zero, format: UInt8 = BlockHeader.version) {
        self.format = format
        self.height = height
        self.previous = previous
        self.time = time
        self.proposer = proposer
        self.txRoot = txRoot
        self.resultsRoot = resultsRoot
        self.stateRoot = stateRoot
    }

    public static func isCheckpoint(_ height: UInt64) -> Bool { height > 0 && height % stateRootInterval == 0 }

    /// The format 5 checkpoint whose root is the state after block `height`, if there is one.
    public static func checkpoint(fedBy height: UInt64) -> UInt64? {
        isCheckpoint(height + checkpointLag) ? height + checkpointLag : nil
    }

    /// Whether replay checks that each transaction came from the node the routing policy picked.
    public var checksRouting: Bool { format >= BlockHeader.routedFormat }

    public var hash: Hash256 { Hash256.of(encoded) }
}

extension BlockHeader: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u8(format); w.u64(height); w.hash(previous); w.u64(time); w.string(proposer)
        w.hash(txRoot); w.hash(resultsRoot); w.hash(stateRoot)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        format = try r.u8()
        guard BlockHeader.readable.contains(format) else {
            throw DecodingFailure("block format \(format) is not one this govconsole reads (\(BlockHeader.readable.lowerBound)–\(BlockHeader.version)); open it with the govconsole that wrote it, or re-create the chain with 'govconsole init --force'")
        }
        height = try r.u64()
        previous = try r.hash()
        time = try r.u64()
        proposer = try r.string(limit: Limits.maxNameBytes)
        txRoot = try r.hash()
        resultsRoot = try r.hash()
        stateRoot = try r.hash()
    }
}

public struct Block: Hashable, Sendable {
    public let header: BlockHeader
    /// Only block 0 carries a genesis; its `txRoot` is the genesis hash.
    public let genesis: Genesis?
    public let transactions: [Transaction]
    public let receipts: [Receipt]
    /// Events of the block boundary: votes closed by their deadline, permissions expired.
    public let blockEvents: [ChainEvent]
    public let signature: [UInt8]

    public var hash: Hash256 { header.hash }
    public var height: UInt64 { header.height }

    package static func txRoot(genesis: Genesis?, transactions: [Transaction]) -> Hash256 {
        if let genesis { return Hash256.of(genesis.encoded) }
        return Merkle.root(transactions.map(\.id))
    }

    package static func resultsRoot(receipts: [Receipt], blockEvents: [ChainEvent]) -> Hash256 {
        var w = ByteWriter()
        w.array(blockEvents) { $0.encode($1) }
        w.array(receipts) { $0.encode($1) }
        return Hash256.of(w.bytes)
    }

    /// Every recorded event in order: block-boundary events first, then each receipt's.
    public var events: [RecordedEvent] {
        var out = blockEvents.map { RecordedEvent(height: height, time: header.time, tx: nil, event: $0) }
        for receipt in receipts {
            out += receipt.events.map { RecordedEvent(height: height, time: header.time, tx: receipt.tx, event: $0) }
        }
        return out
    }

    package init(header: BlockHeader, genesis: Genesis?, transactions: [Transaction], receipts: [Receipt],
                 blockEvents: [ChainEvent], signature: [UInt8]) {
        self.header = header
        self.genesis = genesis
        self.transactions = transactions
        self.receipts = receipts
        self.blockEvents = blockEvents
        self.signature = signature
    }
}

extension Block: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.encode(header)
        w.optional(genesis) { $0.encode($1) }
        w.array(transactions) { $0.encode($1) }
        w.array(receipts) { $0.encode($1) }
        w.array(blockEvents) { $0.encode($1) }
        w.raw(signature)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        header = try r.decode()
        genesis = try r.optional { r throws(DecodingFailure) in try r.decode(Genesis.self) }
        transactions = try r.array { r throws(DecodingFailure) in try r.decode(Transaction.self) }
        receipts = try r.array { r throws(DecodingFailure) in try r.decode(Receipt.self) }
        blockEvents = try r.array { r throws(DecodingFailure) in try r.decode(ChainEvent.self) }
        signature = try r.raw(64)
    }
}
