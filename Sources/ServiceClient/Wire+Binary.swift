import ChainPrimitives
import Foundation
import GovernanceAPI
import NIOCore

/// Votes are nearly all of a busy service's traffic, and coding each submit and its reply as JSON, on
/// both sides of the socket, cost about as much CPU as verifying the vote. Those two travel in binary;
/// everything else stays JSON, readable and easy to extend. After the version byte a JSON message starts
/// with `{`; a binary one starts with its kind, a byte below any JSON can start with.
extension Wire {
    /// `id, since, transaction`: a `.request(id, .submit(tx, since))`.
    static let submitKind: UInt8 = 1
    /// `id, height, receipt, proposal?, tally?`: a `.response(id, .submitted(…))`.
    static let submittedKind: UInt8 = 2

    package static func encode(_ message: ClientMessage, into allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard case let .request(id, .submit(tx, since)) = message else { return try encodeJSON(message, into: allocator) }
        var buffer = allocator.buffer(capacity: 18 + tx.count)
        buffer.writeInteger(version); buffer.writeInteger(submitKind)
        buffer.writeInteger(id); buffer.writeInteger(since)
        buffer.writeBytes(tx)
        return buffer
    }

    package static func encode(_ message: ServerMessage, into allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard case let .response(id, .submitted(receipt, height, proposal, tally)) = message else {
            return try encodeJSON(message, into: allocator)
        }
        var w = ByteWriter()
        w.u8(version); w.u8(submittedKind)
        w.u64(id); w.u64(height); w.data(Array(receipt))
        w.optional(proposal) { $0.encode($1) }
        w.optional(tally) { $0.encode($1) }
        var buffer = allocator.buffer(capacity: w.bytes.count)
        buffer.writeBytes(w.bytes)
        return buffer
    }

    package static func decode(_ type: ClientMessage.Type, from buffer: ByteBuffer) throws(WireError) -> ClientMessage {
        var buffer = buffer
        guard try readVersion(&buffer) == submitKind else { return try decodeJSON(type, from: buffer) }
        buffer.moveReaderIndex(forwardBy: 1)
        guard let id = buffer.readInteger(as: UInt64.self), let since = buffer.readInteger(as: UInt64.self) else {
            throw .malformed("a submit frame cut short")
        }
        return .request(id: id, .submit(tx: Data(buffer.readableBytesView), since: since))
    }

    package static func decode(_ type: ServerMessage.Type, from buffer: ByteBuffer) throws(WireError) -> ServerMessage {
        var buffer = buffer
        guard try readVersion(&buffer) == submittedKind else { return try decodeJSON(type, from: buffer) }
        var r = ByteReader(Array(buffer.readableBytesView.dropFirst()))
        do {
            let id = try r.u64(), height = try r.u64(), receipt = Data(try r.data())
            let proposal = try r.optional { (r: inout ByteReader) throws(DecodingFailure) in try ProposalSummary(from: &r) }
            let tally = try r.optional { (r: inout ByteReader) throws(DecodingFailure) in try TallyView(from: &r) }
            try r.expectEnd()
            return .response(id: id, .submitted(receipt: receipt, height: height, proposal: proposal, tally: tally))
        } catch {
            throw .malformed("a submitted frame: \(error)")
        }
    }

    /// Reads and checks the version byte; returns the byte after it, which tells JSON from binary.
    private static func readVersion(_ buffer: inout ByteBuffer) throws(WireError) -> UInt8? {
        guard let v = buffer.readInteger(as: UInt8.self) else { throw .malformed("an empty frame") }
        guard v == version else { throw .version(v) }
        return buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)
    }
}
