import ChainModel

/// Where an engine sends its transactions while another engine seals the blocks of the shared order.
/// Every engine may seal (`BlockOrder` keeps one order whoever does), but three racing for every place
/// waste two seals in three and leave a loser's transactions waiting several places; so one engine,
/// elected through the order (`ClusterOrdering`), seals, and the others forward to it. The transactions
/// forwarded are signed by their senders: the sealer checks them as its own clients', and trusts
/// nothing else of the forwarding engine's.
public protocol TransactionForwarder: Sendable {
    /// The node whose engine seals.
    var sealer: String { get }
    /// Sends transactions on their way at once, behind every batch sent before, so a sender's nonces
    /// reach the sealer in order however many batches are in flight; `answer` waits for what came of them.
    func send(_ batch: [ForwardedTransaction]) -> ForwardTicket
}

/// One forwarded batch on its way: its answer, once the sealer gives it (or the link fails).
public struct ForwardTicket: Sendable {
    private let wait: @Sendable () async -> Forwarding

    public init(_ wait: @escaping @Sendable () async -> Forwarding) { self.wait = wait }

    public func answer() async -> Forwarding { await wait() }
}

public struct ForwardedTransaction: Sendable, Equatable {
    public let tx: Transaction
    /// Refused, not recorded, if it is a contract call that fails (see `Chain.Submission`).
    public let refusesFailedCall: Bool

    public init(tx: Transaction, refusesFailedCall: Bool) {
        self.tx = tx
        self.refusesFailedCall = refusesFailedCall
    }
}

/// What came of a forwarded batch.
public enum Forwarding: Sendable, Equatable {
    /// One result per transaction, in order.
    case answered([ForwardResult])
    /// Nothing reached the sealer (it could not be reached, or refused the batch whole): the chain seals
    /// the batch itself.
    case notSent(String)
    /// The batch went out and no answer came back: the sealer may have sealed it or not.
    case lost(String)
}

public enum ForwardResult: Sendable, Codable, Equatable {
    /// Sealed, in the block at `height` of the shared order.
    case sealed(height: UInt64)
    /// Refused by the sealer, for the reason it gave.
    case refused(String)
    /// Alone in a block it is more than the order takes in one entry (`TransactionRejection.blockTooLarge`).
    case tooLarge(bytes: Int, limit: Int)
    /// Not sealed because the sealer could not reach the order: nothing was written, and the same
    /// transaction may be sent again (`TransactionRejection.orderUnavailable` here too).
    case orderUnavailable(String)
}
