import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file per identity, `keys/NAME.key`, holding the hex of its Ed25519 private key, mode 0600.
/// A key file others can read is refused, as ssh refuses one.
public struct Keystore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    func path(_ name: String) -> String { "\(directory)/\(name).key" }

    public func contains(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".key") }.map { String($0.dropLast(4)) }.sorted()
    }

    public func store(_ key: SigningKey, for name: String) throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .keystore("cannot create keystore \(directory): \(error.localizedDescription)")
        }
        let p = path(name)
        let tmp = p + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .keystore("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let text = Array((key.rawBytes.hexString + "\n").utf8)
        let ok = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, p) == 0 else { throw .keystore("cannot write key file \(p)") }
        LedgerFile.syncDirectory(of: p)
    }

    /// Moves a removed member's key out of use, into `retired/`, so it is never offered again.
    public func retire(_ name: String, at height: UInt64) {
        let retired = "\(directory)/retired"
        try? FileManager.default.createDirectory(atPath: retired, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if rename(path(name), "\(retired)/\(name)-\(height).key") == 0 { LedgerFile.syncDirectory(of: path(name)) }
    }

    public func load(_ name: String) throws(LedgerError) -> SigningKey {
        let p = path(name)
        var st = stat()
        guard stat(p, &st) == 0 else {
            throw .keystore("no key for '\(name)' in \(directory); this terminal cannot sign as \(name)")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw .keystore("key file \(p) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); run 'chmod 600 \(p)'")
        }
        guard let text = try? String(contentsOfFile: p, encoding: .utf8),
              let bytes = [UInt8](hex: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = SigningKey(rawBytes: bytes) else {
            throw .keystore("key file \(p) is not a 64-digit hex Ed25519 key; restore it from a backup")
        }
        return key
    }
}
