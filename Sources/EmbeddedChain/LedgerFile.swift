import ChainModel
import ChainPrimitives
import DurableStorage
import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only block log. Each record is framed `magic, length, header check, body check, body`,
/// and every append is fsynced before it is acknowledged, so a committed block survives a crash.
///
/// A crash can only cut the last frame short; it cannot change a length. So the header carries its own
/// check: a frame whose header is whole and sound but whose body runs past the end of the file is a torn
/// tail, while a header that fails its check is corruption, wherever it stands.
///
/// Opened read-only, it sees the file as it was at that moment and never writes: a frame a writer is
/// appending meanwhile is either wholly before that end or a torn tail the reader leaves alone.
final class LedgerFile {
    static let magic: [UInt8] = Array("GCB1".utf8)
    static let frameHeader = 4 + 4 + 4 + 8
    static let maxRecord = 64 << 20
    /// Bytes read at a time while indexing: many small records' headers, or one large record's.
    static let headerWindow = 64 << 10

    let path: String
    let fd: FileDescriptor
    private(set) var length: Int

    init(path: String, readOnly: Bool = false) throws(LedgerError) {
        self.path = path
        do {
            fd = readOnly ? try .opening(path, .readOnly)
                : try .opening(path, .readWrite, options: .create, permissions: [.ownerReadWrite])
            length = Int(try fd.endOffset())
        } catch {
            throw .io("cannot open \(path): \(String(cString: strerror(error.rawValue)))")
        }
        if length == 0 && !readOnly { FileDescriptor.syncDirectory(of: path) }
    }

    deinit { try? fd.close() }

    static func checksum(_ bytes: [UInt8]) -> [UInt8] { Array(Hash256.of(bytes).bytes.prefix(8)) }

    static func headerCheck(_ length: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.raw(magic); w.u32(length)
        return Array(Hash256.of(w.bytes).bytes.prefix(4))
    }

    private func write(_ record: [UInt8]) throws(LedgerError) {
        var w = ByteWriter()
        w.raw(LedgerFile.magic); w.u32(UInt32(record.count)); w.raw(LedgerFile.headerCheck(UInt32(record.count)))
        w.raw(LedgerFile.checksum(record)); w.raw(record)
        let frame = w.bytes
        if let fault = DiskWrite.durably(fd, frame, at: Int64(length), path: path) {
            // Whatever part of the frame reached the file is cut off again, so the ledger still ends on
            // its last whole block; cutting needs no free space.
            let cutBack = (try? fd.resize(to: Int64(length))) != nil && (try? fd.sync()) != nil
            throw .writeFailed(fault, cutBack: cutBack)
        }
        length += frame.count
    }

    /// Copies the bytes after `length` to `aside`, then cuts them off so the next append starts on a
    /// frame boundary. Nothing is thrown away: the torn bytes stay inspectable.
    func moveTail(from length: Int, to aside: String) throws(LedgerError) {
        guard let tail = fd.bytes(at: Int64(length), count: self.length - length) else { throw .io("cannot read the torn tail of \(path)") }
        do { try DiskWrite.replace(aside, staging: aside + ".new", with: tail) } catch { throw .writeFailed(error, cutBack: false) }
        try truncate(to: length)
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(LedgerError) {
        do { try fd.resize(to: Int64(length)) } catch {
            throw .writeFailed(WriteFault(path: path, action: "truncate", code: (error as? Errno ?? .ioError).rawValue), cutBack: false)
        }
        do { try fd.sync() } catch { throw .writeFailed(WriteFault(path: path, action: "sync", code: error.rawValue), cutBack: false) }
        self.length = length
    }

    /// Where one record sits: its frame's offset and its body's length.
    struct Frame: Sendable, Hashable {
        let offset: Int
        let length: Int
        var bodyOffset: Int { offset + LedgerFile.frameHeader }
        var end: Int { bodyOffset + length }
    }

    struct Index {
        var frames: [Frame] = []
        /// Bytes up to the end of the last whole record.
        var goodLength = 0
        /// What follows the last whole record, when something does.
        var tail: String?
    }

    /// Reads every frame header, not the bodies: where each record is, and whether the file ends in a
    /// torn one. A damaged header with anything after it cannot be a torn write and is corruption.
    func index() throws(LedgerError) -> Index {
        var index = Index()
        var offset = 0
        // Headers are read from a window of the file, refilled where the next header starts: a ledger of
        // a million small blocks costs thousands of reads, not a million.
        var window: [UInt8] = []
        var windowStart = 0
        func headerBytes(at offset: Int) -> ArraySlice<UInt8>? {
            if offset < windowStart || offset + LedgerFile.frameHeader > windowStart + window.count {
                guard let bytes = fd.bytes(at: Int64(offset), count: min(LedgerFile.headerWindow, length - offset)) else { return nil }
                (window, windowStart) = (bytes, offset)
            }
            return window[offset - windowStart..<offset - windowStart + LedgerFile.frameHeader]
        }
        while offset < length {
            let remaining = length - offset
            guard remaining >= LedgerFile.frameHeader else {
                // A torn header starts like a real one: as much of the marker as was written, and a
                // length whose check agrees once that is there too. Anything else is not a torn write.
                guard var header = fd.bytes(at: Int64(offset), count: remaining) else { throw .io("cannot read \(path)") }
                header += [UInt8](repeating: 0, count: LedgerFile.frameHeader - remaining)
                let marker = min(remaining, 4)
                let bodyLength = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard Array(header[0..<marker]) == Array(LedgerFile.magic[0..<marker]),
                      remaining < 12 || Array(header[8..<12]) == LedgerFile.headerCheck(bodyLength) else {
                    throw .corrupt(height: UInt64(index.frames.count), reason: "bad record marker at byte \(offset)")
                }
                index.tail = "\(remaining) bytes of a partial record header"
                break
            }
            guard let header = headerBytes(at: offset).map(Array.init) else { throw .io("cannot read \(path)") }
            guard Array(header[0..<4]) == LedgerFile.magic else {
                throw .corrupt(height: UInt64(index.frames.count), reason: "bad record marker at byte \(offset)")
            }
            let bodyLength = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard Array(header[8..<12]) == LedgerFile.headerCheck(bodyLength), Int(bodyLength) <= LedgerFile.maxRecord else {
                throw .corrupt(height: UInt64(index.frames.count), reason: "damaged record header at byte \(offset)")
            }
            let frame = Frame(offset: offset, length: Int(bodyLength))
            guard frame.end <= length else {
                index.tail = "a record cut short (\(length - frame.bodyOffset) of \(bodyLength) bytes)"
                break
            }
            index.frames.append(frame)
            offset = frame.end
            index.goodLength = offset
        }
        return index
    }

    /// The body of record `height`, checked against its checksum. A whole record that fails its check is
    /// damage, not a torn write, even when it is the last.
    func read(_ frame: Frame, height: Int) throws(LedgerError) -> [UInt8] {
        // The check and the body are read into their own buffers, so the body is never copied again.
        guard let check = fd.bytes(at: Int64(frame.offset + 12), count: 8),
              let body = fd.bytes(at: Int64(frame.bodyOffset), count: frame.length) else {
            throw .io("cannot read \(path) at byte \(frame.offset)")
        }
        guard LedgerFile.checksum(body) == check else {
            throw .corrupt(height: UInt64(height), reason: "record checksum mismatch at byte \(frame.offset)")
        }
        return body
    }

    /// The block in record `height`, checked and decoded.
    func block(_ frame: Frame, height: Int) throws(LedgerError) -> Block {
        let body = try read(frame, height: height)
        do { return try Block.decode(body) } catch { throw .corrupt(height: UInt64(height), reason: "undecodable block (\(error))") }
    }

    /// The frame `append` just wrote.
    func append(_ record: [UInt8]) throws(LedgerError) -> Frame {
        let start = length
        try write(record)
        return Frame(offset: start, length: record.count)
    }
}
