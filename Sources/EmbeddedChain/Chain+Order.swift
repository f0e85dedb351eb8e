import ChainModel
import ChainPrimitives
import DurableStorage

/// A block offered to the order with no answer, and the transactions that wait on it.
struct InDoubtBlock {
    let position: UInt64
    let encoded: [UInt8]
    let waiting: [Mempool.Pending]
    let reason: String
}

/// Keeping one ledger with other engines: this engine seals its own node's blocks and offers each for
/// its place in the shared order (`BlockOrder`); every entry of the order comes back here, in order, and
/// is taken as a validating node takes a block. Whatever an entry holds is untrusted until it proves to
/// be the next block, signed by a node of the consortium, re-executing to what it says.
extension Chain {
    /// From now on blocks are sealed as `node` and placed through `order`, whose last entry the chain has
    /// taken is `position`.
    public func orderBlocks(through order: any BlockOrder, as node: String, from position: UInt64) throws(LedgerError) {
        guard signingKeys[node] != nil else {
            throw .keystore("no block-signing key for \(node) in this data directory; join the consortium as \(node) with 'govconsole join'")
        }
        self.order = order
        orderNode = node
        orderPosition = position
        blockLimit = min(blockLimit, max(1, order.maxBlockBytes / Self.typicalTransactionBytes))
    }

    /// Why the chain accepts no transactions, if it does not: closed, a failed write, or a divergence.
    public var haltReason: String? { halted }

    /// Whether writes wait for an answer about a block offered to the order, and why.
    public var orderInDoubt: String? { inDoubt?.reason }

    /// Takes the entry at `position` of the order, the one after the last taken. Entries come in order;
    /// one at or before the last taken was taken already.
    @discardableResult
    public func accept(entry bytes: [UInt8], at position: UInt64) -> EntryOutcome {
        guard position > orderPosition else { return .alreadyTaken }
        precondition(position == orderPosition + 1, "entry \(position) of the order arrived before entry \(orderPosition + 1)")
        orderPosition = position
        defer {
            awaitingOrder = inDoubt != nil
            scheduleSeal()
        }
        var waiting: [Mempool.Pending] = []
        if let doubt = inDoubt, doubt.position == position {
            inDoubt = nil
            if bytes == doubt.encoded {
                waiting = doubt.waiting
            } else {
                mempool.putBack(doubt.waiting)
            }
        }
        let outcome = take(bytes, answering: waiting)
        if case .refused(let reason) = outcome {
            refusedEntries = (refusedEntries.count + 1, "entry \(position): \(reason)")
            mempool.putBack(waiting)
        }
        return outcome
    }

    /// Takes a block a peer engine handed over, outside the order: an engine catching up past the entries
    /// etcd no longer keeps. Checked exactly as an entry of the order is: whatever a peer says is
    /// untrusted until it proves to be the next block, signed by a node, re-executing to what it says.
    public func acceptFromPeer(_ bytes: [UInt8]) -> EntryOutcome {
        take(bytes, answering: [])
    }

    /// The order's entries up to `position` are behind this chain: etcd no longer keeps them, and the
    /// blocks they held came from a peer (`acceptFromPeer`).
    public func skipOrder(to position: UInt64) {
        guard position > orderPosition else { return }
        orderPosition = position
        if let doubt = inDoubt, doubt.position <= position {
            // The entry that would have said whether the block took its place is gone from etcd.
            inDoubt = nil
            for p in doubt.waiting {
                p.resume(throwing: TransactionRejection.orderUnavailable("whether block \(doubt.position) took its place can no longer be read from etcd; check with 'govconsole show' or 'govconsole events' whether the transaction landed"))
            }
        }
        awaitingOrder = inDoubt != nil
        scheduleSeal()
    }

    /// Reads the order again from its start, for a ledger behind the position saved for it. Only while no
    /// block waits in doubt on a later position; returns whether it did.
    public func rereadOrder() -> Bool {
        guard inDoubt == nil else { return false }
        orderPosition = 0
        return true
    }

    private func take(_ bytes: [UInt8], answering waiting: [Mempool.Pending]) -> EntryOutcome {
        let block: Block
        do { block = try Block.decode(bytes) } catch { return .refused("not a block (\(error))") }
        let h = block.height
        // Reading the order again from an earlier position after a restart meets the blocks already taken.
        if h <= state.height { return .alreadyTaken }
        guard h == state.height + 1, block.header.previous == state.head else {
            return .refused("block \(h) on \(block.header.previous.short) is out of sequence; the head is block \(state.height) \(state.head.short)")
        }
        guard block.genesis == nil, block.header.format >= headFormat, BlockHeader.readable.contains(block.header.format) else {
            return .refused("block \(h) is not a block this chain can take next (format \(block.header.format))")
        }
        do { _ = try BlockVerifier.proposer(of: block, in: state) } catch {
            if case let .corrupt(_, reason) = error { return .refused("block \(h): \(reason)") }
            return .refused("\(error)")
        }
        // Signed by a node, for the next height: from here on a failure means that node and this engine
        // disagree about the state, and going on would fork the ledger silently.
        if let halted { return .diverged("not taken, the chain had stopped: \(halted)") }
        var next = state
        var due = BlockHeader.isCheckpoint(h) ? pendingRoot.map { $0.wait() } : nil
        do {
            try BlockVerifier.replay(block, after: headFormat, onto: &next, due: &due, runtime: runtime, hashingFedRoot: false)
            if BlockHeader.isCheckpoint(h), block.header.format >= BlockHeader.laggedRootFormat, due?.checkpoint != h {
                throw LedgerError.corrupt(height: h, reason: "no state root was kept here to check checkpoint \(h) against")
            }
        } catch {
            let reason = "block \(h) proposed by \(block.header.proposer) does not re-execute here (\(error)); this engine stops accepting writes rather than diverge"
            halted = reason
            for p in waiting { p.resume(throwing: TransactionRejection.chainHalted(reason)) }
            refuseSealedElsewhere(reason)
            return .diverged(reason)
        }
        let frame: LedgerFile.Frame
        do {
            willAppend?(h)
            ledgerThread.noteIO()
            frame = try file.append(block.encoded)
        } catch {
            let reason = "writing block \(h) taken from the order failed (\(error)); reopen the data directory to catch up"
            halted = reason
            for p in waiting { p.resume(throwing: TransactionRejection.chainHalted(reason)) }
            refuseSealedElsewhere(reason)
            return .diverged(reason)
        }
        state = next
        settleCommitted(block, at: frame, answering: Array(zip(waiting, block.receipts)))
        return .applied(height: h)
    }
}
