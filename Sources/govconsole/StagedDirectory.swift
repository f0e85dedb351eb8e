import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory that appears whole or not at all: it is filled under a hidden name beside its target and
/// renamed into place only once every file is written, so a failure midway (a full disk, a crash)
/// never leaves a half-made data directory that a later command would take for a real one.
enum StagedDirectory {
    /// Creates `target` (absent, or an empty directory the rename replaces) with what `fill` writes into
    /// the staging path it is given. On any failure the staging directory, and any parent directory
    /// made for it, are removed again.
    static func create(_ target: String, fill: (String) throws -> Void) throws(JoinError) {
        let parent = (target as NSString).deletingLastPathComponent
        let madeFrom = firstMissingAncestor(of: parent)
        let staging = parent + "/." + (target as NSString).lastPathComponent + ".join-" + UUID().uuidString.prefix(8)
        func undo(_ cause: String) -> JoinError {
            try? FileManager.default.removeItem(atPath: staging)
            // The parents made for it go too, innermost first; rmdir leaves any that something else filled.
            var made = parent
            while let madeFrom, made.hasPrefix(madeFrom), rmdir(made) == 0 { made = (made as NSString).deletingLastPathComponent }
            return .writeFailed(target: target, cause: cause)
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            // Set outright, whatever the process umask.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: staging)
            try fill(staging)
        } catch {
            throw undo("\(error)")
        }
        guard rename(staging, target) == 0 else {
            let code = errno
            throw undo(code == ENOTEMPTY || code == EEXIST ? "something else filled it meanwhile" : String(cString: strerror(code)))
        }
        // The rename is durable once the parent's entry is.
        let dir = open(parent, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { _ = fsync(dir); _ = close(dir) }
    }

    /// The outermost directory on the way to `path` that does not exist yet, or nil when `path` does.
    private static func firstMissingAncestor(of path: String) -> String? {
        var missing: String?
        var p = path
        while !p.isEmpty, p != "/", !FileManager.default.fileExists(atPath: p) {
            missing = p
            p = (p as NSString).deletingLastPathComponent
        }
        return missing
    }
}
