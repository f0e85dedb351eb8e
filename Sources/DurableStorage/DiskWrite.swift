import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a write to disk failed, with the error number captured right after the call that failed, before
/// anything else can overwrite `errno`.
public struct WriteFault: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    /// What was being done: "write", "sync", "create", "rename" or "truncate".
    public let action: String
    public let code: Int32

    /// The cause in words: "no space left on device", "file too large"…
    public var cause: String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// What the user can do about it.
    public var remedy: String {
        let dir = (path as NSString).deletingLastPathComponent
        switch code {
        case ENOSPC, EDQUOT: return "free space on the disk holding \(dir) and retry"
        case EFBIG: return "a file-size limit (ulimit -f) stops \(path) growing; raise it and retry"
        case EACCES, EPERM, EROFS: return "make \(dir) writable by this user and retry"
        default: return "fix the cause and retry"
        }
    }

    public var description: String { "cannot \(action) \(path): \(cause); \(remedy)" }

    package init(path: String, action: String, code: Int32) {
        self.path = path
        self.action = action
        self.code = code
    }
}

/// Raw file writes that finish the job or say exactly why not: a short write is resumed from where it
/// stopped, an interrupted call is repeated, and a write that makes no progress counts as a full disk.
package enum DiskWrite {
    /// Writes all of `bytes` at `offset` of `fd`; the error number on failure, nil on success.
    package static func all(_ fd: Int32, _ bytes: [UInt8], at offset: Int) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n > 0 {
                done += n
            } else if n == 0 {
                // No progress and no error: the kernel had no room for even one byte.
                return ENOSPC
            } else {
                let code = errno
                if code != EINTR { return code }
            }
        }
        return nil
    }

    /// Makes a new or renamed entry in a directory durable, not just the file's bytes.
    package static func syncDirectory(of path: String) {
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return }
        fsync(dir)
        close(dir)
    }

    /// fsync, repeated when a signal interrupts it; the error number on failure.
    package static func sync(_ fd: Int32) -> Int32? {
        while fsync(fd) != 0 {
            let code = errno
            if code != EINTR { return code }
        }
        return nil
    }

    /// Writes all of `bytes` at `offset` and fsyncs: the fault that stopped it, named for `path`, or nil.
    package static func durably(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) -> WriteFault? {
        if let code = all(fd, bytes, at: offset) { return WriteFault(path: path, action: "write", code: code) }
        if let code = sync(fd) { return WriteFault(path: path, action: "sync", code: code) }
        return nil
    }

    /// Writes `bytes` to `staging`, fsyncs it and renames it over `target`, so `target` is always either
    /// its old content or all of the new. On failure the staging file is removed: nothing half-written
    /// is left behind.
    package static func replace(_ target: String, staging: String, with bytes: [UInt8]) throws(WriteFault) {
        let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteFault(path: staging, action: "create", code: errno) }
        var fault = durably(fd, bytes, at: 0, path: staging)
        close(fd)
        if fault == nil, rename(staging, target) != 0 { fault = WriteFault(path: target, action: "rename \(staging) to", code: errno) }
        if let fault {
            unlink(staging)
            throw fault
        }
        syncDirectory(of: target)
    }
}
