import ChainPrimitives
import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file per identity, `keys/NAME.key`, holding the hex of its Ed25519 private key, mode 0600.
/// A key file others can read is refused, as ssh refuses one; so is a keys directory others can write.
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
        do {
            try DiskWrite.replace(p, staging: p + ".tmp", with: Array((key.rawBytes.hexString + "\n").utf8))
        } catch {
            throw .keystore("cannot write key file \(p): \(error.cause); \(error.remedy)")
        }
    }

    /// Refuses a keystore others could read keys from or slip keys into, before a writer uses any of it:
    /// a loose file found later would stop the chain at whichever block its node next signs.
    public func checkPermissions() throws(LedgerError) {
        try Keystore.checkNotWritableByOthers(directory)
        for name in names() {
            guard let mode = Keystore.mode(of: path(name)) else { continue }
            try Keystore.checkOwnerOnly(path(name), mode)
        }
    }

    /// The permission bits of `path`, or nil when it cannot be looked at.
    private static func mode(of path: String) -> UInt32? {
        (try? FilePath(path).stat()).map { UInt32($0.permissions.rawValue) & 0o777 }
    }

    /// Refuses a key file group or others can read, as ssh does.
    private static func checkOwnerOnly(_ path: String, _ mode: UInt32) throws(LedgerError) {
        guard mode & 0o077 == 0 else { throw .looseKey(path: path, mode: mode) }
    }

    /// Refuses a directory that group or others can write.
    public static func checkNotWritableByOthers(_ directory: String) throws(LedgerError) {
        guard let mode = mode(of: directory) else { return }
        guard mode & 0o022 == 0 else { throw .looseDirectory(path: directory, mode: mode) }
    }

    /// Moves a removed member's key out of use, into `retired/`, so it is never offered again.
    public func retire(_ name: String, at height: UInt64) {
        let retired = "\(directory)/retired"
        try? FileManager.default.createDirectory(atPath: retired, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if rename(path(name), "\(retired)/\(name)-\(height).key") == 0 { FileDescriptor.syncDirectory(of: path(name)) }
    }

    public func load(_ name: String) throws(LedgerError) -> SigningKey {
        let p = path(name)
        guard let mode = Keystore.mode(of: p) else {
            throw .keystore("no key for '\(name)' in \(directory); this terminal cannot sign as \(name)")
        }
        try Keystore.checkOwnerOnly(p, mode)
        guard let file = FileDescriptor.contents(of: p), let text = String(validating: file, as: UTF8.self),
              let bytes = [UInt8](hex: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = SigningKey(rawBytes: bytes) else {
            throw .keystore("key file \(p) is not a 64-digit hex Ed25519 key; restore it from a backup")
        }
        return key
    }
}
