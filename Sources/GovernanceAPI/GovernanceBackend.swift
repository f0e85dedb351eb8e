import ChainModel
import ChainPrimitives

/// What a client needs from the management system, whether the engine runs in this process or behind
/// `govconsole serve`. A backend never signs for a member: clients sign with their own keys
/// (`GovernanceClient`) and hand over signed transactions, which the backend checks and submits.
public protocol GovernanceBackend: Sendable {
    /// Where the engine runs, for the console's header and `status`.
    var endpoint: Endpoint { get }

    /// What `sender` needs to sign its next transaction; reserves the nonce it hands out.
    func signingContext(for sender: String, proposal: UInt64?) async throws -> SigningContext
    /// Gives back a nonce that was reserved but will not be used, so the sender's next one does not skip it.
    func release(_ context: SigningContext) async throws
    /// Dry-runs, submits and waits for the durable receipt of one signed request. `since` is a height the
    /// client knew before it signed: sending the same transaction again after a lost connection returns
    /// the receipt it already has instead of a nonce error.
    func submit(_ tx: Transaction, since: UInt64) async throws -> Submitted
    /// Submits generated traffic as is, without a dry run; nil for each one refused.
    func submitTraffic(_ txs: [Transaction]) async throws -> [Receipt?]

    func proposals(status: ProposalStatus?) async throws -> [ProposalSummary]
    func proposal(_ id: UInt64) async throws -> ProposalDetail
    /// A proposal's events (the last 500). Everything else is read a page at a time with `events(from:limit:)`.
    func events(proposal: UInt64) async throws -> [EventView]
    /// The events of whole blocks from `height` on, until the page holds at least `limit` events, has read
    /// `EventPage.maxBlocks` blocks or has reached the head; a block's events are never split.
    func events(from height: UInt64, limit: Int) async throws -> EventPage
    func votes(of name: String) async throws -> [UInt64: String]
    func status() async throws -> StatusView
    func members() async throws -> [MemberView]
    func nodes() async throws -> [NodeView]
    func blocks(from height: UInt64, limit: Int) async throws -> [BlockView]
    func routing() async throws -> RoutingView
    func initSummary() async throws -> InitResult
    /// Whether `key` belonged to a removed member; such a key is never trusted again.
    func isRetired(_ key: PublicKey) async throws -> Bool
    /// Records any deadline or permission that lapsed, in an empty block, and returns its height; a no-op
    /// (nil) when nothing is due.
    @discardableResult
    func closeDue() async throws -> UInt64?

    /// Each committed block's events from `height` on, then live. Memory stays bounded whoever reads
    /// slowly: a reader that falls too far behind gets `.resync` and the stream ends.
    func feed(from height: UInt64) async -> AsyncStream<FeedItem>
    func close() async
}

/// Where a client's engine runs.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case embedded(directory: String)
    case service(address: String)

    public var description: String {
        switch self {
        case .embedded: "embedded"
        case let .service(address): "service \(address)"
        }
    }
}

/// What a client signs with: the chain it signs for, its next nonce, and for a vote the request it answers.
public struct SigningContext: Codable, Sendable, Hashable {
    public let chain: Hash256
    public let sender: String
    public let nonce: UInt64
    /// The height committed when the context was made.
    public let height: UInt64
    /// The `VoteRequested` event the sender's vote on the named proposal answers, if it has one.
    public let voteRequest: UInt64?

    public init(chain: Hash256, sender: String, nonce: UInt64, height: UInt64, voteRequest: UInt64?) {
        self.chain = chain
        self.sender = sender
        self.nonce = nonce
        self.height = height
        self.voteRequest = voteRequest
    }
}

/// A submitted request's durable receipt, the height it was committed at, and for a governance request
/// the proposal as it stands right after.
public struct Submitted: Sendable {
    public let receipt: Receipt
    public let height: UInt64
    public let proposal: ProposalSummary?
    public let tally: TallyView?

    public init(receipt: Receipt, height: UInt64, proposal: ProposalSummary?, tally: TallyView?) {
        self.receipt = receipt
        self.height = height
        self.proposal = proposal
        self.tally = tally
    }
}

/// One item of a feed.
public enum FeedItem: Sendable, Hashable {
    /// The events of the block at `height` (possibly none: every block is reported, so a reader knows
    /// how far it has come).
    case block(height: UInt64, events: [EventView])
    /// The reader fell behind and events from `from` on were not delivered: read the state again and
    /// follow from `from`.
    case resync(from: UInt64)
    /// The connection to a service was lost (`false`) or is back (`true`); only remote backends say this.
    case connected(Bool)
}

extension Hash256: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = Hash256(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 64-digit hex hash"))
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}
