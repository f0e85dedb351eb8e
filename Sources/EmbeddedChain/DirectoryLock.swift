import DurableStorage
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a data directory, so two processes never write one ledger.
/// The kernel releases it when the process dies, so a crash never leaves a stale lock behind.
final class DirectoryLock: Sendable {
    private let fd: FileDescriptor

    /// Takes the lock at once or throws `.locked`: a caller that cannot suspend does not wait, since a
    /// sleeping thread could be one of the few the cooperative pool has. `acquire` waits.
    init(directory: String) throws(LedgerError) {
        let path = "\(directory)/LOCK"
        let fd: FileDescriptor
        do {
            fd = try .opening(path, .readWrite, options: .create, permissions: [.ownerReadWrite])
        } catch {
            throw .io("cannot open \(path): \(String(cString: strerror(error.rawValue)))")
        }
        let taken: Bool
        do { taken = try fd.tryExclusiveLock() } catch { taken = false }
        guard taken else {
            try? fd.close()
            throw .locked(directory: directory)
        }
        self.fd = fd
    }

    /// Takes the lock, waiting up to `wait` for another process to let go of it. Between tries the
    /// task sleeps, suspended: no thread is held while another process finishes.
    static func acquire(directory: String, waitingUpTo wait: Duration) async throws(LedgerError) -> DirectoryLock {
        let deadline = ContinuousClock.now + wait
        while true {
            do {
                return try DirectoryLock(directory: directory)
            } catch .locked(directory) where ContinuousClock.now < deadline && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Lets another opener in now rather than when this object goes away.
    func release() { fd.unlock() }

    deinit { try? fd.close() }
}
