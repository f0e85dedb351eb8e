@testable import ChainPrimitives
@testable import DurableStorage
import Foundation
import Testing

@Suite struct KeystoreTests {
    @Test func aKeyFileOthersCanReadIsRefusedWithTheChmodThatFixesIt() throws {
        let dir = NSTemporaryDirectory() + "gc-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keystore = Keystore(directory: dir)
        let key = SigningKey()
        try keystore.store(key, for: "alice")
        let path = dir + "/alice.key"
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try keystore.load("alice").publicKey == key.publicKey)

        for mode in [0o640, 0o604, 0o644] {
            #expect(chmod(path, mode_t(mode)) == 0)
            #expect(throws: LedgerError.looseKey(path: path, mode: UInt32(mode))) {
                try keystore.load("alice")
            }
        }
        #expect(chmod(path, 0o600) == 0)
        #expect(try keystore.load("alice").publicKey == key.publicKey)

        try "not a key\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: LedgerError.keystore("key file \(path) is not a 64-digit hex Ed25519 key; restore it from a backup")) {
            try keystore.load("alice")
        }
        #expect(throws: LedgerError.self) { try keystore.load("bob") }
    }

    @Test func aLooseKeyOrAKeysDirectoryOthersCanWriteIsRefusedWithItsFix() throws {
        let dir = NSTemporaryDirectory() + "gc-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keystore = Keystore(directory: dir)
        try keystore.store(SigningKey(), for: "alice")
        try keystore.store(SigningKey(), for: "node-1")
        try keystore.checkPermissions()

        #expect(chmod(dir + "/node-1.key", 0o644) == 0)
        #expect(throws: LedgerError.looseKey(path: dir + "/node-1.key", mode: 0o644)) { try keystore.checkPermissions() }
        #expect("\(LedgerError.looseKey(path: dir + "/node-1.key", mode: 0o644))".hasSuffix("run 'chmod 600 \(dir)/node-1.key'"))
        #expect(chmod(dir + "/node-1.key", 0o600) == 0)

        #expect(chmod(dir, 0o777) == 0)
        #expect(throws: LedgerError.looseDirectory(path: dir, mode: 0o777)) { try keystore.checkPermissions() }
        #expect("\(LedgerError.looseDirectory(path: dir, mode: 0o777))".hasSuffix("run 'chmod go-w \(dir)'"))
        #expect(chmod(dir, 0o755) == 0)
        try keystore.checkPermissions()
    }
}
