@testable import DurableStorage
import SystemPackage
import Testing

/// The write loop under what a kernel may answer: interrupted calls, short writes, no progress at all.
/// A regular file cannot be made to do these on demand, so the positional write is scripted here; the
/// real kernel's short write followed by EFBIG runs end to end in LedgerFaultEndToEndTests.
@Suite struct DiskWriteTests {
    /// A file in memory whose writes answer from a script, one answer per call.
    final class ScriptedFile {
        var bytes: [UInt8] = []
        var offsets: [Int64] = []
        var script: [Result<Int, Errno>]

        init(_ script: [Result<Int, Errno>]) { self.script = script }

        func write(_ buffer: UnsafeRawBufferPointer, at offset: Int64) -> Result<Int, Errno> {
            offsets.append(offset)
            let answer = script.isEmpty ? .success(buffer.count) : script.removeFirst()
            if case let .success(n) = answer {
                let end = Int(offset) + n
                if bytes.count < end { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
                bytes.replaceSubrange(Int(offset)..<end, with: buffer.prefix(n))
            }
            return answer
        }
    }

    @Test func anInterruptedCallIsRepeatedAndAShortWriteResumedWhereItStopped() {
        let file = ScriptedFile([.failure(.interrupted), .success(3), .failure(.interrupted), .success(4)])
        let record: [UInt8] = Array(1...10)
        #expect(DiskWrite.all(record, at: 100, with: file.write) == nil)
        #expect(file.offsets == [100, 100, 103, 103, 107])
        #expect(Array(file.bytes[100...]) == record)
    }

    @Test func aWriteThatMakesNoProgressIsAFullDiskAndAnyOtherErrorStops() {
        let stuck = ScriptedFile([.success(2), .success(0)])
        #expect(DiskWrite.all(Array(1...5), at: 0, with: stuck.write) == .noSpace)
        #expect(stuck.offsets == [0, 2])
        let tooLarge = ScriptedFile([.success(1), .failure(.fileTooLarge)])
        #expect(DiskWrite.all(Array(1...5), at: 0, with: tooLarge.write) == .fileTooLarge)
        #expect(tooLarge.offsets == [0, 1])
    }
}
