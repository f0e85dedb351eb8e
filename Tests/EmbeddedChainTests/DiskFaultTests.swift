@testable import DurableStorage
@testable import EmbeddedChain
import Foundation
@testable import Governance
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real kernel write errors through the real code: /dev/full fails every write with ENOSPC.
@Suite struct DiskFaultTests {
    @Test func aFailedLedgerWriteNamesItsCause() throws {
        let file = try LedgerFile(path: "/dev/full")
        #expect(throws: LedgerError.writeFailed(WriteFault(path: "/dev/full", action: "write", code: ENOSPC), cutBack: false)) {
            _ = try file.append([1, 2, 3])
        }
        let message = "\(WriteFault(path: "/dev/full", action: "write", code: ENOSPC))"
        #expect(message == "cannot write /dev/full: no space left on device; free space on the disk holding /dev and retry")
    }

    @Test func aSnapshotThatCannotBeWrittenLeavesNoStagingFileAndTheOldSnapshotWhole() async throws {
        let t = try TestChain()
        try await t.send("ops", .propose(.newVoter("frank")))
        await t.chain.close()
        let ledger = t.dir + "/ledger"
        let old = try Data(contentsOf: URL(fileURLWithPath: StateSnapshot.path(ledger)))

        // The staging name leads to a device that has no room for a byte.
        #expect(symlink("/dev/full", StateSnapshot.staging(ledger)) == 0)
        let state = await t.chain.state
        #expect(throws: WriteFault(path: StateSnapshot.staging(ledger), action: "write", code: ENOSPC)) {
            try StateSnapshot.write(state, due: nil, to: ledger)
        }
        var st = stat()
        #expect(lstat(StateSnapshot.staging(ledger), &st) != 0, "the staging file was left behind")
        #expect(try Data(contentsOf: URL(fileURLWithPath: StateSnapshot.path(ledger))) == old)
    }
}
