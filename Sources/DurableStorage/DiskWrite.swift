import Foundation
import SystemPackage
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

/// File writes that finish the job or say exactly why not: a short write is resumed from where it
/// stopped, an interrupted call is repeated, and a write that makes no progress counts as a full disk.
package enum DiskWrite {
    /// One positional write of as much of a buffer as the kernel takes: the byte count, or the error.
    package typealias PositionalWrite = (UnsafeRawBufferPointer, Int64) -> Result<Int, Errno>

    /// Writes all of `bytes` at `offset` through `write`; the error on failure, nil on success.
    /// swift-system's own `writeAll` would spin on a write that returns 0, so the loop is here.
    package static func all(_ bytes: [UInt8], at offset: Int64, with write: PositionalWrite) -> Errno? {
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                switch write(UnsafeRawBufferPointer(rebasing: buffer[done...]), offset + Int64(done)) {
                case let .success(n) where n > 0: done += n
                // No progress and no error: the kernel had no room for even one byte.
                case .success: return .noSpace
                case .failure(.interrupted): continue
                case let .failure(errno): return errno
                }
            }
            return nil
        }
    }

    /// Writes all of `bytes` at `offset` of `fd`.
    package static func all(_ fd: FileDescriptor, _ bytes: [UInt8], at offset: Int64) -> Errno? {
        all(bytes, at: offset) { buffer, at in
            Result { () throws(Errno) -> Int in try fd.positionalWrite(buffer, at: at) }
        }
    }

    /// Writes all of `bytes` at `offset` and fsyncs: the fault that stopped it, named for `path`, or nil.
    package static func durably(_ fd: FileDescriptor, _ bytes: [UInt8], at offset: Int64, path: String) -> WriteFault? {
        if let errno = all(fd, bytes, at: offset) { return WriteFault(path: path, action: "write", code: errno.rawValue) }
        do { try fd.sync() } catch { return WriteFault(path: path, action: "sync", code: error.rawValue) }
        return nil
    }

    /// Writes `bytes` to `staging`, fsyncs it and renames it over `target`, so `target` is always either
    /// its old content or all of the new. On failure the staging file is removed: nothing half-written
    /// is left behind.
    package static func replace(_ target: String, staging: String, with bytes: [UInt8]) throws(WriteFault) {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(staging), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                         permissions: [.ownerReadWrite])
        } catch {
            throw WriteFault(path: staging, action: "create", code: (error as? Errno)?.rawValue ?? EIO)
        }
        var fault = durably(fd, bytes, at: 0, path: staging)
        try? fd.close()
        if fault == nil, rename(staging, target) != 0 { fault = WriteFault(path: target, action: "rename \(staging) to", code: errno) }
        if let fault {
            unlink(staging)
            throw fault
        }
        FileDescriptor.syncDirectory(of: target)
    }
}
