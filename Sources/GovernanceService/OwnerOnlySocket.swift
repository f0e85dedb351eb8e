import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Binds a Unix socket that only its owner can ever connect to, leaving the process's umask alone:
/// changing it would loosen or tighten every file other tasks create at the same moment. bind(2) makes
/// the socket file 0777 & ~umask, so it is bound inside a fresh directory only its owner can enter
/// (mkdtemp: 0700), made 0600 there, and renamed over its path. Whoever can reach the path finds an
/// owner-only socket from its first instant; a chmod after binding in place would leave a window in
/// which anyone able to enter the directory could connect and be served as its owner.
enum OwnerOnlySocket {
    /// `bind` binds the path it is given; `close` undoes it if the socket cannot be put in place.
    static func bind<Listener>(at path: String,
                               _ bind: (String) async throws -> Listener,
                               close: (Listener) async -> Void) async throws -> Listener {
        // The checks binding at `path` itself makes: too long a path (NIO's own error), or a path that
        // names something other than a (stale) socket, which is left alone.
        _ = try SocketAddress(unixDomainSocketPath: path)
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFSOCK { throw NotASocket(path: path) }

        // Beside its place, so the rename stays on one file system. The bound path, PARENT/.gcXXXXXX/s,
        // is no longer than PARENT/NAME for a name of nine bytes or more (govconsole.sock has fifteen).
        let parent = (path as NSString).deletingLastPathComponent
        var template = Array(((parent.isEmpty ? "." : parent) + "/.gcXXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw IOError(errnoCode: errno, reason: "mkdtemp") }
        let dir = String(cString: made)
        let temporary = dir + "/s"
        defer { rmdir(dir) }
        let listener = try await bind(temporary)
        guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            let error = IOError(errnoCode: errno, reason: "putting the socket in place")
            await close(listener)
            unlink(temporary)
            throw error
        }
        return listener
    }
}

/// The socket's path names a file or directory, which binding would have to replace.
struct NotASocket: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) exists and is not a socket (left as it is)" }
}
