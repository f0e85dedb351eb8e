import NIOCore
import NIOExtras

/// The protocol's framing, from swift-nio-extras: a 4-byte big-endian length, then that many bytes.
/// NIOExtras' decoder buffers whatever length a frame announces, so the limit is checked here, on
/// the length field, before a byte of the frame is buffered.
package struct FrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer
    private let frames = LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes, lengthFieldEndianness: .big)
    /// Whether the next bytes are a length field: the inner decoder reads one, then waits for its frame.
    private var atLength = true

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if atLength {
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
            guard Int(length) <= Wire.maxFrame else { throw WireError.tooLarge(Int(length)) }
        }
        let state = try frames.decode(context: context, buffer: &buffer)
        // A frame passed on means a length comes next; waiting means the length was read and its frame was not.
        atLength = state == .continue
        return state
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Frames in, frames out: the same bytes on the wire as every earlier govconsole.
    package func addFrameCodec() throws {
        try addHandler(ByteToMessageHandler(FrameDecoder()))
        try addHandler(LengthFieldPrepender(lengthFieldBitLength: .fourBytes, lengthFieldEndianness: .big))
    }
}

extension Channel {
    /// The frame codec and an async wrapper, for a client's end of a connection.
    package func framed() -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> {
        eventLoop.makeCompletedFuture {
            try pipeline.syncOperations.addFrameCodec()
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: self)
        }
    }
}
