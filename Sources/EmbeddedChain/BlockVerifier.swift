import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import Governance
import Rollout
/// Checks stored blocks as a validating node would, rebuilding the state they imply: the one check both
/// `Chain.open` (for the blocks after a state snapshot) and `LedgerAudit` (for every block) run.
enum BlockVerifier {
    /// The state genesis implies, once block 0 proves to be a sound genesis block.
    static func genesis(_ block: Block) throws(LedgerError) -> ChainState {
        guard let genesis = block.genesis, block.height == 0, block.header.previous == .zero else {
            throw .corrupt(height: 0, reason: "block 0 is not a genesis block")
        }
        guard block.header.txRoot == Block.txRoot(genesis: genesis, transactions: []), block.header.stateRoot == .zero else {
            throw .corrupt(height: 0, reason: "genesis content does not match its header")
        }
        guard let proposer = genesis.members.first(where: { $0.name == block.header.proposer && $0.role == .node }),
              proposer.publicKey.isValidSignature(block.signature, for: block.hash.bytes) else {
            throw .corrupt(height: 0, reason: "genesis signature does not verify")
        }
        return ChainState(genesisBlock: block, genesis: genesis)
    }

    /// Applies a stored block to the state, checking it as a validating node would. `previousFormat` is
    /// the format of the block before it: a ledger never goes back to an older format, so a node cannot
    /// label a new block format 3 to escape the routing check. `due` carries the root the next format 5
    /// checkpoint must show from the block that fed it; a replay that began between the two (from a
    /// snapshot older govconsoles wrote) cannot check that one checkpoint, and `verify` always can.
    ///
    /// With `hashingFedRoot` false, the caller hashes the state a block feeds to its checkpoint itself
    /// (on another thread, as the producer does) and `due` is left as it was.
    static func replay(_ block: Block, after previousFormat: UInt8, onto s: inout ChainState, due: inout CheckpointRoot?,
                       runtime: ContractRuntime, hashingFedRoot: Bool = true) throws(LedgerError) {
        let h = block.height
        guard h == s.height + 1 else { throw .corrupt(height: h, reason: "expected height \(s.height + 1)") }
        guard block.header.format >= previousFormat else {
            throw .corrupt(height: h, reason: "block format \(block.header.format) after format \(previousFormat); a ledger never goes back a format")
        }
        guard block.header.previous == s.head else { throw .corrupt(height: h, reason: "previous hash does not match block \(s.height)") }
        guard block.genesis == nil else { throw .corrupt(height: h, reason: "a second genesis") }
        guard block.header.time >= s.time else { throw .corrupt(height: h, reason: "time goes backwards") }
        let proposer = try proposer(of: block, in: s)
        guard block.header.txRoot == Block.txRoot(genesis: nil, transactions: block.transactions) else {
            throw .corrupt(height: h, reason: "transactions do not match the Merkle root")
        }
        guard block.transactions.count == block.receipts.count else { throw .corrupt(height: h, reason: "receipt count differs from transaction count") }

        let expectedRoot: Hash256? = switch (BlockHeader.isCheckpoint(h), block.header.format >= BlockHeader.laggedRootFormat) {
        case (false, _): .zero
        case (true, false): s.root
        case (true, true): due?.checkpoint == h ? due?.root : nil
        }
        if let expectedRoot, block.header.stateRoot != expectedRoot {
            throw .corrupt(height: h, reason: "the state root \(block.header.stateRoot.short) differs from the replayed state's \(expectedRoot.short)")
        }
        let ctx = BlockContext(height: h, time: block.header.time, proposer: block.header.proposer)
        let blockEvents = StateTransition.beginBlock(&s, ctx)
        var receipts: [Receipt] = []
        receipts.reserveCapacity(block.transactions.count)
        // Signatures are checked on every core against the keys at the block's start; a transaction whose
        // sender's key changed within the block is checked again as it is applied.
        let checks = SignatureCheck.verify(block.transactions, members: s.management.members)
        for (i, (tx, stored)) in zip(block.transactions, block.receipts).enumerated() {
            do {
                receipts.append(try StateTransition.apply(tx, encodedSize: tx.encodedSize, node: stored.node, &s, ctx, runtime: runtime,
                                                          verifiedKey: checks[i]?.key, checkingRouting: block.header.checksRouting))
            } catch {
                throw .corrupt(height: h, reason: "transaction \(tx.id.short) does not replay: \(error)")
            }
        }
        guard receipts == block.receipts, blockEvents == block.blockEvents,
              Block.resultsRoot(receipts: receipts, blockEvents: blockEvents) == block.header.resultsRoot else {
            throw .corrupt(height: h, reason: "re-executing the block gives different results")
        }
        s.height = h
        s.head = block.hash
        s.time = block.header.time
        if let i = s.nodes.firstIndex(where: { $0.name == proposer }) { s.nodes[i].blocksProposed += 1 }
        if hashingFedRoot, let checkpoint = BlockHeader.checkpoint(fedBy: h) { due = CheckpointRoot(checkpoint: checkpoint, root: s.root) }
    }
}

extension BlockVerifier {
    /// The node that proposed `block` on top of `s`, once its signature verifies: before format 6 the node
    /// whose turn it was by height, from format 6 any node of the consortium.
    static func proposer(of block: Block, in s: ChainState) throws(LedgerError) -> String {
        let h = block.height, proposer = block.header.proposer
        if block.header.format < BlockHeader.anyNodeFormat {
            guard proposer == s.proposer(forHeight: h) else { throw .corrupt(height: h, reason: "proposed by \(proposer), whose turn it was not") }
        } else {
            guard s.nodes.contains(where: { $0.name == proposer }) else { throw .corrupt(height: h, reason: "proposed by \(proposer), which is not a node of the consortium") }
        }
        guard let key = s.management.members[proposer]?.publicKey, key.isValidSignature(block.signature, for: block.hash.bytes) else {
            throw .corrupt(height: h, reason: "block signature does not verify with \(proposer)'s key")
        }
        return proposer
    }
}

/// The names the verifier had when it lived in `Chain`, which tests still call.
extension Chain {
    static func verifyGenesis(_ block: Block) throws(LedgerError) -> ChainState { try BlockVerifier.genesis(block) }

    static func replay(_ block: Block, onto s: inout ChainState, due: inout CheckpointRoot?, runtime: ContractRuntime) throws(LedgerError) {
        try BlockVerifier.replay(block, after: block.header.format, onto: &s, due: &due, runtime: runtime)
    }
}
