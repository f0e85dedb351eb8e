import DurableStorage
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a data directory, so two processes never write one ledger.
/// The kernel releases it when the process dies, so a crash never leaves a stale lock behind.
final class DirectoryLock: Sendable {
    private let fd: Int32

    init(directory: String, waitMilliseconds: Int = 3000) throws(LedgerError) {
        let path = "\(directory)/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot open \(path): \(String(cString: strerror(errno)))") }
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK, waited < waitMilliseconds else {
                close(fd)
                throw .locked(directory: directory)
            }
            usleep(50_000)
            waited += 50
        }
        self.fd = fd
    }

    /// Lets another opener in now rather than when this object goes away.
    func release() { flock(fd, LOCK_UN) }

    deinit { close(fd) }
}
