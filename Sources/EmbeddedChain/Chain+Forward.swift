import ChainModel
import ChainPrimitives
import DurableStorage

/// Forwarding to the engine that seals for the shared order (see `TransactionForwarder`). What this
/// engine would have sealed goes to the sealer instead, as soon as it arrives, in order; a transaction
/// the sealer sealed is answered once this engine has taken its block from the order, so whoever hears
/// back reads it here too.
extension Chain {
    /// From now on transactions go to `forwarder`'s engine to be sealed; nil seals them here.
    public func forward(through forwarder: (any TransactionForwarder)?) {
        self.forwarder = forwarder
        scheduleSeal()
    }

    /// Whether a batch may be handed on now: to the sealer while fewer than a few are on their way, or
    /// sealed here only once every forwarded one is answered, so a sender's nonces stay in order.
    var mayHandOver: Bool {
        forwarder == nil ? forwardsInFlight == 0 : forwardsInFlight < Self.maxForwardsInFlight
    }

    /// Whether this engine sends its transactions to another to be sealed.
    public nonisolated var forwards: Bool { forwardingNow.load(ordering: .relaxed) }

    /// The node whose engine seals this engine's transactions: its own when it seals them itself.
    public var sealer: String? { forwarder?.sealer ?? orderNode }

    /// The most transactions one forwarded batch carries: the sealer's blocks take a few thousand at
    /// most, and a smaller batch is answered sooner.
    static let maxForwardBatch = 1_000

    /// Sends the waiting transactions to the sealer, behind those sent before; `forwarded` takes the
    /// answer. A few batches may be on their way at once; more wait, and go out together.
    func forwardPending(to forwarder: any TransactionForwarder) {
        let batch = mempool.take(upTo: Self.maxForwardBatch)
        forwardsInFlight += 1
        let ticket = forwarder.send(batch.map { ForwardedTransaction(tx: $0.tx, refusesFailedCall: $0.refusesFailedCall) })
        Task {
            let outcome = await ticket.answer()
            self.forwarded(batch, outcome, by: forwarder)
        }
    }

    /// Seals here from now on, unless the forwarder that failed was replaced meanwhile (the seat moved):
    /// the new one has not failed.
    private func drop(_ failed: any TransactionForwarder) {
        if let current = forwarder, (current as AnyObject) === (failed as AnyObject) { forwarder = nil }
    }

    private func forwarded(_ batch: [Mempool.Pending], _ outcome: Forwarding, by link: any TransactionForwarder) {
        let sealer = link.sealer
        forwardsInFlight -= 1
        defer { scheduleSeal() }
        if let halted {
            for p in batch { p.resume(throwing: TransactionRejection.chainHalted(halted)) }
            return
        }
        switch outcome {
        case let .answered(results) where results.count == batch.count:
            // Said until a forward gets through again, not only until the forwarder is set again.
            forwardingFailed = nil
            for (p, result) in zip(batch, results) {
                switch result {
                case let .refused(reason):
                    p.resume(throwing: TransactionRejection.refusedBySealer(node: sealer, reason: reason))
                case let .orderUnavailable(reason):
                    p.resume(throwing: TransactionRejection.orderUnavailable(reason))
                case let .tooLarge(bytes, limit):
                    p.resume(throwing: TransactionRejection.blockTooLarge(bytes: bytes, limit: limit))
                case let .sealed(height) where height > state.height:
                    sealedElsewhere[height, default: []].append(p)
                case let .sealed(height):
                    answerFromLedger(p, height: height, sealer: sealer)
                }
            }
        case .answered:
            drop(link)
            forwardingFailed = "\(sealer) answered for a different number of transactions; sealing here"
            for p in batch { p.resume(throwing: TransactionRejection.orderUnavailable(Self.inDoubt(sealer, "it answered for a different number of transactions"))) }
        case let .notSent(reason):
            // Nothing reached the sealer: this engine seals the batch itself, in its place at the front.
            drop(link)
            mempool.putBack(batch)
            forwardingFailed = "\(sealer) could not be reached (\(reason)); sealing here"
        case let .lost(reason) where !batch.contains(where: \.resent):
            // Sent once more, on a new connection (or sealed here, if the sealer is out of reach): the
            // sealer answers what it sealed the first time from `recentlySealed`, not as a replay.
            forwardingFailed = "\(sealer) did not answer (\(reason))"
            mempool.putBack(batch.map { var p = $0; p.resent = true; return p })
        case let .lost(reason):
            drop(link)
            forwardingFailed = "\(sealer) did not answer (\(reason)); sealing here"
            for p in batch { p.resume(throwing: TransactionRejection.orderUnavailable(Self.inDoubt(sealer, reason))) }
        }
    }

    private static func inDoubt(_ sealer: String, _ reason: String) -> String {
        "\(sealer), the engine sealing the consortium's blocks, did not say whether it sealed this transaction (\(reason)); check with 'govconsole show' or 'govconsole events' whether it landed before sending it again"
    }

    /// Answers the transactions the sealer put in `block`, now that this engine has taken it.
    func settleForwarded(_ block: Block) {
        guard let waiting = sealedElsewhere.removeValue(forKey: block.height) else { return }
        answer(waiting, from: block, sealer: block.header.proposer)
    }

    func answerFromLedger(_ p: Mempool.Pending, height: UInt64, sealer: String) {
        do {
            answer([p], from: try block(at: height), sealer: sealer)
        } catch {
            p.resume(throwing: TransactionRejection.chainHalted("block \(height), which \(sealer) sealed a forwarded transaction in, cannot be read here: \(error)"))
        }
    }

    private func answer(_ waiting: [Mempool.Pending], from block: Block, sealer: String) {
        var index: [Hash256: Int] = [:]
        for (i, tx) in block.transactions.enumerated() { index[tx.id] = i }
        for p in waiting {
            if let i = index[p.tx.id] {
                p.resume(returning: block.receipts[i], height: block.height)
            } else {
                p.resume(throwing: TransactionRejection.orderUnavailable(Self.inDoubt(sealer, "it said block \(block.height), which does not hold it")))
            }
        }
    }

    /// Refuses every transaction waiting for a block another engine sealed: this chain will not take it.
    func refuseSealedElsewhere(_ reason: String) {
        for (_, waiting) in sealedElsewhere { for p in waiting { p.resume(throwing: TransactionRejection.chainHalted(reason)) } }
        sealedElsewhere = [:]
    }
}

extension Chain {
    /// `bytes` signed with `node`'s block-signing key, if this engine holds it: an engine proves to the
    /// others which node it runs with the key its blocks are signed with.
    public nonisolated func sign(_ bytes: [UInt8], as node: String) -> [UInt8]? {
        signingKeys[node]?.sign(bytes)
    }

    /// A transaction from `node`, signed with its key if this engine holds it, at the node's next nonce
    /// as of the last block: what an engine records on chain about itself and the other nodes.
    public nonisolated func transaction(from node: String, _ payload: Payload) -> Transaction? {
        guard let key = signingKeys[node] else { return nil }
        let state = committed
        return Transaction.signed(chain: genesisHash, sender: node, nonce: state.nextNonce(of: node), lane: .production,
                                  payload: payload, key: key)
    }
}


extension Chain {
    /// Up to `limit` blocks from `height` on, as they are on disk (checksummed, not decoded): what a peer
    /// catching up asks for, and checks itself.
    public func encodedBlocks(from height: UInt64, limit: Int) throws(LedgerError) -> [[UInt8]] {
        guard height < UInt64(frames.count) else { return [] }
        ledgerThread.noteIO()
        let end = min(frames.count, Int(height) + max(0, limit))
        var out: [[UInt8]] = []
        for h in Int(height)..<end { out.append(try file.read(frames[h], height: h)) }
        return out
    }
}
