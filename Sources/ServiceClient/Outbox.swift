import NIOCore

/// One connection's writer: frames go out whole and in the order they are sent.
package struct Outbox: Sendable {
    package let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    package let allocator: ByteBufferAllocator

    package init(_ writer: NIOAsyncChannelOutboundWriter<ByteBuffer>, allocator: ByteBufferAllocator) {
        self.writer = writer
        self.allocator = allocator
    }

    package func send(_ message: Wire.ServerMessage) async throws {
        try await writer.write(try Wire.encode(message, into: allocator))
    }

    package func send(_ message: Wire.ClientMessage) async throws {
        try await writer.write(try Wire.encode(message, into: allocator))
    }
}
