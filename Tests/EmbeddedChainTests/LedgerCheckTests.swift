import DurableStorage
@testable import EmbeddedChain
import Foundation
import Testing

/// Opening checks every record a state snapshot covers in large pieces, on every core: the same verdict
/// as checking record by record, and the same error, the lowest damaged height.
@Suite struct LedgerCheckTests {
    /// A ledger of two proposals and two votes on each, a block each, closed with a snapshot of all of it.
    func ledger() async throws -> TestChain {
        let t = try TestChain()
        for name in ["frank", "grace"] { try await t.send("ops", .propose(.newVoter(name))) }
        for p: UInt64 in [1, 2] { for v in ["alice", "bob"] { try await t.vote(v, p, .reject) } }
        await t.chain.close()
        return t
    }

    func flip(_ path: String, inRecords heights: [Int], of frames: [LedgerFile.Frame]) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for h in heights { bytes[frames[h].bodyOffset + frames[h].length / 2] ^= 0x01 }
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func theLowestDamagedRecordIsNamedWhateverThePieces() async throws {
        var t = try await ledger()
        let path = t.dir + "/ledger/blocks.log"
        let frames = try LedgerFile(path: path, readOnly: true).index().frames
        #expect(frames.count >= 6)
        for piece in [1, 1 << 10, LedgerFile.pieceBytes] {
            try LedgerFile(path: path, readOnly: true).check(frames[1...], pieceBytes: piece)
        }

        try flip(path, inRecords: [2, 4], of: frames)
        for piece in [1, 1 << 10, LedgerFile.pieceBytes] {
            #expect(throws: LedgerError.corrupt(height: 2, reason: "record checksum mismatch at byte \(frames[2].offset)")) {
                try LedgerFile(path: path, readOnly: true).check(frames[1...], pieceBytes: piece)
            }
        }
        // Opening under the snapshot meets the same damage: nothing replayed, every byte still checked.
        #expect(FileManager.default.fileExists(atPath: t.dir + "/ledger/state.snapshot"))
        #expect(throws: LedgerError.corrupt(height: 2, reason: "record checksum mismatch at byte \(frames[2].offset)")) { try t.reopen() }
    }
}
