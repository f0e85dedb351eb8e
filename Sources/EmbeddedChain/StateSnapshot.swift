import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The whole state at one height, kept beside the ledger so that opening a long ledger replays only the
/// blocks after it. The file is `magic, length, state, SHA-256 of the state`, written to a temporary
/// name, fsynced and renamed, so it is always either the old snapshot or the new one.
///
/// A snapshot is trusted only as far as it agrees with the ledger: its genesis must be the ledger's and
/// its head must be the hash of the ledger's block at its height. Anything else and the chain replays
/// from genesis, with a warning. `govconsole verify` never uses it.
enum StateSnapshot {
    static let magic = Array("GCS1".utf8)

    static func path(_ directory: String) -> String { "\(directory)/state.snapshot" }

    static func write(_ state: ChainState, to directory: String) throws(LedgerError) {
        let body = state.encoded
        var w = ByteWriter()
        w.raw(magic); w.u64(UInt64(body.count)); w.raw(body); w.hash(Hash256.of(body))
        let target = path(directory)
        let staging = target + ".new"
        let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot write \(staging): \(String(cString: strerror(errno)))") }
        let ok = w.bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == w.bytes.count && fsync(fd) == 0
        close(fd)
        guard ok, rename(staging, target) == 0 else { throw .io("cannot write the state snapshot \(target)") }
        LedgerFile.syncDirectory(of: target)
    }

    /// The snapshot in `directory`: nil when there is none, or why it cannot be used.
    static func read(from directory: String) -> Result<ChainState, SnapshotProblem>? {
        guard let data = FileManager.default.contents(atPath: path(directory)) else { return nil }
        let bytes = [UInt8](data)
        var r = ByteReader(bytes)
        do {
            guard try r.raw(4) == magic else { return .failure(SnapshotProblem("not a state snapshot")) }
            let length = try r.u64()
            guard length <= UInt64(r.remaining) else { return .failure(SnapshotProblem("cut short")) }
            let body = try r.raw(Int(length))
            guard try r.hash() == Hash256.of(body) else { return .failure(SnapshotProblem("checksum mismatch")) }
            try r.expectEnd()
            return .success(try ChainState.decode(body))
        } catch {
            return .failure(SnapshotProblem("\(error)"))
        }
    }
}

struct SnapshotProblem: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
