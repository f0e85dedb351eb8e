import ChainModel
import ChainPrimitives
import DurableStorage
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The whole state at one height, kept beside the ledger so that opening a long ledger replays only the
/// blocks after it. The file is `magic, length, body, SHA-256 of the body`, written to a temporary name,
/// fsynced and renamed, so it is always either the old snapshot or the new one. The body is the state,
/// then (`GCS2`) the root the next format 5 checkpoint carries when the snapshot stands between that
/// checkpoint and the block that fed it: the blocks replayed after it never pass that block again.
///
/// A snapshot is trusted only as far as it agrees with the ledger: its genesis must be the ledger's and
/// its head must be the hash of the ledger's block at its height. Anything else and the chain replays
/// from genesis, with a warning. `govconsole verify` never uses it.
enum StateSnapshot {
    static let magic = Array("GCS2".utf8)
    /// Written by govconsoles whose checkpoints carried the state they were built on.
    static let stateOnly = Array("GCS1".utf8)

    static func path(_ directory: String) -> String { "\(directory)/state.snapshot" }

    static func staging(_ directory: String) -> String { path(directory) + ".new" }

    /// A failed write leaves no staging file behind; see `DiskWrite.replace`.
    static func write(_ state: ChainState, due: CheckpointRoot?, to directory: String) throws(WriteFault) {
        var body = ByteWriter()
        state.encode(to: &body)
        if let due, due.checkpoint > state.height {
            body.u8(1); body.u64(due.checkpoint); body.hash(due.root)
        } else {
            body.u8(0)
        }
        var w = ByteWriter()
        w.raw(magic); w.u64(UInt64(body.bytes.count)); w.raw(body.bytes); w.hash(Hash256.of(body.bytes))
        try DiskWrite.replace(path(directory), staging: staging(directory), with: w.bytes)
    }

    /// Removes a staging file a crash left half-written; only the writer calls this.
    static func removeStale(in directory: String) {
        if unlink(staging(directory)) == 0 { FileDescriptor.syncDirectory(of: staging(directory)) }
    }

    /// The snapshot in `directory`: nil when there is none, or why it cannot be used.
    static func read(from directory: String) -> Result<(state: ChainState, due: CheckpointRoot?), SnapshotProblem>? {
        guard let bytes = FileDescriptor.contents(of: path(directory)) else { return nil }
        var r = ByteReader(bytes)
        do {
            let kind = try r.raw(4)
            guard kind == magic || kind == stateOnly else { return .failure(SnapshotProblem("not a state snapshot")) }
            let length = try r.u64()
            guard length <= UInt64(r.remaining) else { return .failure(SnapshotProblem("cut short")) }
            let body = try r.raw(Int(length))
            guard try r.hash() == Hash256.of(body) else { return .failure(SnapshotProblem("checksum mismatch")) }
            try r.expectEnd()
            guard kind == magic else { return .success((try ChainState.decode(body), nil)) }
            var b = ByteReader(body)
            let state = try ChainState(from: &b)
            let due: CheckpointRoot? = try b.u8() == 1 ? CheckpointRoot(checkpoint: try b.u64(), root: try b.hash()) : nil
            try b.expectEnd()
            return .success((state, due))
        } catch {
            return .failure(SnapshotProblem("\(error)"))
        }
    }
}

struct SnapshotProblem: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
