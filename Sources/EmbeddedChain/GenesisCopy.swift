import ChainModel
import ChainPrimitives
import DurableStorage
import Foundation

/// Block 0 of a ledger exactly as it is stored, for `govconsole join`: an organisation's data directory
/// starts from the consortium's very genesis bytes, so its genesis hash is the consortium's.
public struct GenesisCopy: Sendable {
    public let block: Block
    /// The stored record, byte for byte: re-encoding the decoded block is not relied on to reproduce it.
    let record: [UInt8]

    public var hash: Hash256 { block.hash }

    /// Reads and checks block 0 of the ledger in `directory` as `verify` reads: no lock taken and nothing
    /// written, so it runs beside a service appending to that ledger.
    public static func read(ledger directory: String) throws(LedgerError) -> GenesisCopy {
        guard Chain.exists(at: directory) else { throw .missing(directory: directory) }
        let file = try LedgerFile(path: Chain.ledgerPath(directory), readOnly: true)
        guard let first = try file.index().frames.first else {
            throw .corrupt(height: 0, reason: "the ledger has no whole genesis block")
        }
        let record = try file.read(first, height: 0)
        let block: Block
        do { block = try Block.decode(record) } catch { throw .corrupt(height: 0, reason: "undecodable block (\(error))") }
        // Its content and its node's signature are checked as opening the chain checks them.
        _ = try BlockVerifier.genesis(block)
        return GenesisCopy(block: block, record: record)
    }

    /// Starts a ledger in `directory` (created owner-only if missing) holding only this block, framed
    /// and fsynced as every block is. A directory that already holds a ledger is refused.
    public func write(ledger directory: String) throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
        guard !Chain.exists(at: directory) else { throw .exists(directory: directory) }
        _ = try LedgerFile(path: Chain.ledgerPath(directory)).append(record)
    }
}
