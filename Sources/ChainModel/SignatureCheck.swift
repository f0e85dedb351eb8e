import ChainPrimitives
import Foundation

/// Proof that a transaction's signature verified with a key. Only this module can make one, and only by
/// verifying, so a caller cannot hand the chain a transaction marked as checked that was not.
public struct SignatureCheck: Sendable, Hashable {
    package let key: PublicKey

    fileprivate init(key: PublicKey) { self.key = key }

    /// The check of one transaction, on the caller's thread: many callers at once verify on every core.
    public static func verify(_ tx: Transaction, members: [String: Member]) -> SignatureCheck? {
        guard let key = members[tx.sender]?.publicKey, key.isValidSignature(tx.signature, for: tx.signingBytes) else { return nil }
        return SignatureCheck(key: key)
    }

    /// The check of each transaction against `members`' keys, in order, run on every core; nil where the
    /// signature does not verify or the sender is unknown (the chain then refuses it with the reason).
    public static func verify(_ txs: [Transaction], members: [String: Member]) -> [SignatureCheck?] {
        var out = [SignatureCheck?](repeating: nil, count: txs.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, txs.count / 32))
        let chunk = (txs.count + workers - 1) / max(1, workers)
        guard chunk > 0 else { return out }
        out.withUnsafeMutableBufferPointer { results in
            // Each worker writes only its own slice of the buffer.
            nonisolated(unsafe) let slots = results
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in w * chunk..<min(txs.count, (w + 1) * chunk) {
                    let tx = txs[i]
                    if let key = members[tx.sender]?.publicKey, key.isValidSignature(tx.signature, for: tx.signingBytes) {
                        slots[i] = SignatureCheck(key: key)
                    }
                }
            }
        }
        return out
    }
}
