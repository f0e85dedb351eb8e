import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few calls the ledger needs that swift-system leaves out (fsync, flock) or leaves loose (a read
/// that must fill its buffer), each with an interrupted call repeated.
extension FileDescriptor {
    /// Opens `path` with swift-system, turning its untyped error into the `Errno` it always is.
    package static func opening(_ path: String, _ mode: AccessMode, options: OpenOptions = [],
                        permissions: FilePermissions? = nil) throws(Errno) -> FileDescriptor {
        do {
            return try FileDescriptor.open(FilePath(path), mode, options: options.union(.closeOnExec), permissions: permissions)
        } catch {
            throw error as? Errno ?? .ioError
        }
    }

    /// One pwrite, not repeated when interrupted: `DiskWrite.all` repeats it, with short writes.
    package func positionalWrite(_ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        do {
            return try write(toAbsoluteOffset: offset, buffer, retryOnInterrupt: false)
        } catch {
            throw error as? Errno ?? .ioError
        }
    }

    /// Reads until `buffer` is full or the file ends: how many bytes it read.
    package func read(at offset: Int64, filling buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var done = 0
        while done < buffer.count {
            let n: Int
            do {
                n = try read(fromAbsoluteOffset: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            } catch {
                throw error as? Errno ?? .ioError
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// `count` bytes from `offset`, or nil when the file ends before them or cannot be read.
    package func bytes(at offset: Int64, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        guard let n = try? bytes.withUnsafeMutableBytes({ (b) throws(Errno) -> Int in try read(at: offset, filling: b) }),
              n == count else { return nil }
        return bytes
    }

    /// The size of the file: where its end is.
    package func endOffset() throws(Errno) -> Int64 {
        do { return try seek(offset: 0, from: .end) } catch { throw error as? Errno ?? .ioError }
    }

    /// fsync, repeated when a signal interrupts it.
    package func sync() throws(Errno) {
        while fsync(rawValue) != 0 {
            let code = Errno(rawValue: errno)
            if code != .interrupted { throw code }
        }
    }

    /// Takes the exclusive advisory lock without waiting: false when another holder has it.
    package func tryExclusiveLock() throws(Errno) -> Bool {
        while flock(rawValue, LOCK_EX | LOCK_NB) != 0 {
            let code = Errno(rawValue: errno)
            if code == .wouldBlock { return false }
            if code != .interrupted { throw code }
        }
        return true
    }

    package func unlock() { _ = flock(rawValue, LOCK_UN) }

    /// The whole content of the file at `path`, or nil when it is missing or cannot be read.
    package static func contents(of path: String) -> [UInt8]? {
        guard let fd = try? opening(path, .readOnly) else { return nil }
        defer { try? fd.close() }
        guard let size = try? fd.endOffset() else { return nil }
        return fd.bytes(at: 0, count: Int(size))
    }

    /// Makes a new or renamed entry in a directory durable, not just the file's bytes.
    package static func syncDirectory(of path: String) {
        guard let dir = try? opening((path as NSString).deletingLastPathComponent, .readOnly, options: .directory) else { return }
        try? dir.sync()
        try? dir.close()
    }
}
