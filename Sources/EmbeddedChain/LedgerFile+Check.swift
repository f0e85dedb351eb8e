import ChainPrimitives
import Dispatch
import DurableStorage
import Synchronization
import SystemPackage

/// Checking many records at once, as opening does for every block a state snapshot covers: the file is
/// read in large sequential pieces of whole records, and the pieces are hashed on every core. The same
/// check as `read`, record by record, and the same error: the lowest damaged height.
extension LedgerFile {
    /// About this many bytes per read: few system calls, and memory of a few pieces at a time.
    static let pieceBytes = 8 << 20

    /// Checks the records of `frames`, whose indices are their heights, against their checksums, in
    /// pieces of about `pieceBytes` (tests make every record a piece of its own).
    func check(_ frames: ArraySlice<Frame>, pieceBytes: Int = LedgerFile.pieceBytes) throws(LedgerError) {
        guard !frames.isEmpty else { return }
        var pieces: [Range<Int>] = []
        var start = frames.startIndex
        for h in frames.indices where frames[h].end - frames[start].offset >= pieceBytes || h == frames.endIndex - 1 {
            pieces.append(start..<h + 1)
            start = h + 1
        }
        // The first failure of each piece; the lowest is what a record-by-record check would have met first.
        let failures = Mutex<[(height: Int, error: LedgerError)]>([])
        let (fd, path, all) = (fd, path, pieces)
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            if let failure = Self.check(frames, piece: all[i], in: fd, path: path) { failures.withLock { $0.append(failure) } }
        }
        if let first = failures.withLock({ $0.min { $0.height < $1.height } }) { throw first.error }
    }

    private static func check(_ frames: ArraySlice<Frame>, piece heights: Range<Int>, in fd: FileDescriptor, path: String) -> (height: Int, error: LedgerError)? {
        let base = frames[heights.lowerBound].offset
        guard let piece = fd.bytes(at: Int64(base), count: frames[heights.upperBound - 1].end - base) else {
            return (heights.lowerBound, .io("cannot read \(path) at byte \(base)"))
        }
        for h in heights {
            let frame = frames[h]
            let check = piece[frame.offset + 12 - base..<frame.offset + 20 - base]
            let body = piece[frame.bodyOffset - base..<frame.end - base]
            guard Hash256.of(body).bytes.prefix(8).elementsEqual(check) else {
                return (h, .corrupt(height: UInt64(h), reason: "record checksum mismatch at byte \(frame.offset)"))
            }
        }
        return nil
    }
}
