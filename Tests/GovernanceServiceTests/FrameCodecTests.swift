import NIOCore
import NIOEmbedded
@testable import ServiceClient
import Testing

/// The framing on swift-nio-extras speaks the bytes every earlier govconsole spoke — a 4-byte big-endian
/// length, then the frame — and refuses a frame over the limit from its length alone, with the same error.
@Suite struct FrameCodecTests {
    func framed() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addFrameCodec()
        return channel
    }

    func bytes(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

    @Test func anOutgoingFrameIsItsLengthThenItsBytes() throws {
        let channel = try framed()
        try channel.writeOutbound(bytes([1, 2, 3]))
        var wire = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { wire.writeBuffer(&part) }
        #expect(Array(wire.readableBytesView) == [0, 0, 0, 3, 1, 2, 3])
    }

    /// Frames split anywhere and run together come out whole, one each, in order.
    @Test func incomingBytesSplitAnywhereComeOutAsTheFramesSent() throws {
        let channel = try framed()
        let stream: [UInt8] = [0, 0, 0, 2, 7, 8, 0, 0, 0, 0, 0, 0, 0, 1, 9]
        for byte in stream { try channel.writeInbound(bytes([byte])) }
        var frames: [[UInt8]] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) { frames.append(Array(frame.readableBytesView)) }
        #expect(frames == [[7, 8], [], [9]])
    }

    /// Only the length has arrived, and it is over the limit: refused before a byte of the frame is held.
    @Test func aFrameOverTheLimitIsRefusedFromItsLength() throws {
        let channel = try framed()
        let over = UInt32(Wire.maxFrame + 1)
        var header = ByteBuffer()
        header.writeInteger(over)
        let refused = #expect(throws: WireError.self) { try channel.writeInbound(header) }
        #expect(refused?.description == "a 33554433-byte frame, over the 33554432-byte limit")
    }

    /// A frame of exactly the limit is waited for, not refused; and a length arriving mid-stream after a
    /// frame is judged too.
    @Test func theLimitItselfIsAllowedAndEveryLengthIsJudged() throws {
        let channel = try framed()
        var stream = ByteBuffer()
        stream.writeInteger(UInt32(1))
        stream.writeInteger(UInt8(5))
        stream.writeInteger(UInt32(Wire.maxFrame))
        try channel.writeInbound(stream)
        #expect(try channel.readInbound(as: ByteBuffer.self).map { Array($0.readableBytesView) } == [5])
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "the limit-sized frame is still arriving")

        let next = try framed()
        var two = ByteBuffer()
        two.writeInteger(UInt32(0))
        two.writeInteger(UInt32.max)
        #expect(throws: WireError.self) { try next.writeInbound(two) }
        #expect(try next.readInbound(as: ByteBuffer.self).map(\.readableBytes) == 0, "the frame before it came through")
    }
}
