import ChainModel
import ChainPrimitives
import Governance

extension StateTransition {
    /// A vote's outcome judged read-only against `s`, as `apply` after `beginBlock` at `time` would judge
    /// it, without copying the state: the same checks, in the same order, with the same errors. The
    /// signature was verified with `verifiedKey`; a nonce ahead of the committed one belongs behind
    /// transactions still in flight and passes. Returns false for anything but a vote, which needs a dry run.
    /// Routing is left to the producer, which refuses a misrouted transaction for the platform to route again.
    public static func precheckVote(_ tx: Transaction, encodedSize: Int, in s: ChainState, at time: UInt64,
                                    verifiedKey: PublicKey) throws(TransactionRejection) -> Bool {
        guard case let .governance(.vote(id, request, _)) = tx.payload else { return false }
        guard encodedSize <= Limits.maxTransactionBytes else {
            throw .oversize(bytes: encodedSize, limit: Limits.maxTransactionBytes)
        }
        guard tx.chain == s.genesisHash else { throw .wrongChain }
        guard let member = s.management.members[tx.sender] else { throw .unknownSender(tx.sender) }
        // Verified with a key the sender no longer has: the dry run judges it from scratch.
        guard member.publicKey == verifiedKey else { return false }
        if tx.lane != .production { throw .wrongLane(tx.lane) }
        let expected = s.nextNonce(of: tx.sender)
        if tx.nonce < expected { throw .staleNonce(sender: tx.sender, expected: expected, got: tx.nonce) }
        do {
            _ = try ManagementContract.checkVote(id, request, Caller(name: tx.sender, role: member.role, key: member.publicKey),
                                                 at: time, in: s.management)
        } catch {
            throw .governance(error)
        }
        return true
    }
}
