
/// Failures of the durable ledger, each naming where it went wrong and what to do.
public enum LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    case io(String)
    case missing(directory: String)
    case exists(directory: String)
    case corrupt(height: UInt64, reason: String)
    case locked(directory: String)
    case keystore(String)
    /// A write failed; `cutBack` says whether the part that reached the file was cut off again.
    case writeFailed(WriteFault, cutBack: Bool)
    /// A key file group or others can read.
    case looseKey(path: String, mode: UInt32)
    /// A directory group or others can write, so they could swap its keys or ledger.
    case looseDirectory(path: String, mode: UInt32)

    public var description: String {
        switch self {
        case let .io(reason): reason
        case let .missing(dir): "no chain in \(dir); run 'govconsole init --demo --data \(dir)' to create one"
        case let .exists(dir): "a chain already exists in \(dir); pass --force to replace it (its ledger and keys are deleted) or use another --data directory"
        case let .corrupt(height, reason): "the ledger is corrupt at height \(height): \(reason); run 'govconsole verify' for a full audit, then restore the data directory from a backup or re-create it with 'govconsole init --force'"
        case let .locked(dir): "another govconsole process is using \(dir); wait for it to finish or stop it"
        case let .keystore(reason): reason
        case let .writeFailed(fault, _): fault.description
        case let .looseKey(path, mode):
            "key file \(path) is readable by others (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        case let .looseDirectory(path, mode):
            "\(path) is writable by others (mode \(String(mode, radix: 8))), who could replace its keys or ledger; run 'chmod go-w \(path)'"
        }
    }
}
