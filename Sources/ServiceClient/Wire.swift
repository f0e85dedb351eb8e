import ChainPrimitives
import Foundation
import GovernanceAPI
import NIOCore

/// The service protocol. Every frame is a 4-byte big-endian length, then a version byte, then one JSON
/// message, or, for a submit and its reply, a binary one (`Wire+Binary`). A connection opens with the
/// client's `hello` (its protocol version and, over TCP, the access token) and the service's `welcome`;
/// after that requests, their responses and the event feed share it, each response naming the request
/// it answers. Signed transactions travel in their own binary encoding, so the service verifies exactly
/// the bytes the member signed.
public enum Wire {
    /// 2: events travel as their typed binary form, not as named fields. 3: a submit and its reply
    /// travel in binary (`Wire+Binary`).
    public static let version: UInt8 = 3
    /// Larger frames are refused before they are buffered: no request or answer is near this.
    public static let maxFrame = 32 << 20
    /// Requests a connection may have unanswered: the service refuses more, and `RemoteBackend` holds
    /// its callers' further requests back until answers come.
    public static let maxRequestsInFlight = 256

    public struct Hello: Codable, Sendable {
        public let version: UInt8
        public let token: String?
        /// Who is connecting, for the service's log: a command name and a process id.
        public let client: String
    }

    public struct Welcome: Codable, Sendable {
        public let version: UInt8
        public let genesis: Hash256
        public let height: UInt64
        public let data: String

        package init(version: UInt8, genesis: Hash256, height: UInt64, data: String) {
            self.version = version
            self.genesis = genesis
            self.height = height
            self.data = data
        }
    }

    public enum ClientMessage: Codable, Sendable {
        case hello(Hello)
        case request(id: UInt64, Request)
        /// Starts (or restarts) the event feed at `from`; the service sends `block` and `resync` messages.
        case follow(from: UInt64)
    }

    public enum Request: Codable, Sendable {
        case signingContext(sender: String, proposal: UInt64?)
        case release(SigningContext)
        case submit(tx: Data, since: UInt64)
        case submitTraffic(txs: [Data])
        case proposals(status: ProposalStatus?)
        case proposal(id: UInt64)
        case events(proposal: UInt64)
        case eventPage(from: UInt64, limit: Int)
        case votes(of: String)
        case status
        case members
        case nodes
        case blocks(from: UInt64, limit: Int)
        case routing
        case initSummary
        case isRetired(key: String)
    }

    public enum Response: Codable, Sendable {
        case signingContext(SigningContext)
        case done
        case submitted(receipt: Data, height: UInt64, proposal: ProposalSummary?, tally: TallyView?)
        case receipts([Data?])
        case proposals([ProposalSummary])
        case proposal(ProposalDetail)
        case events([EventView])
        case eventPage(EventPage)
        case votes([UInt64: String])
        case status(StatusView)
        case members([MemberView])
        case nodes([NodeView])
        case blocks([BlockView])
        case routing(RoutingView)
        case initSummary(InitResult)
        case flag(Bool)
    }

    public enum ServerMessage: Codable, Sendable {
        case welcome(Welcome)
        /// The connection is refused (wrong version, missing or wrong token); the service closes it.
        case refused(String)
        case response(id: UInt64, Response)
        /// The request was refused; `message` is the one line to show.
        case failure(id: UInt64, message: String)
        case block(height: UInt64, events: [EventView])
        case resync(from: UInt64)
    }

    static func encodeJSON<T: Encodable>(_ message: T, into allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.userInfo[EventView.wireFormat] = true
        let json = try encoder.encode(message)
        var buffer = allocator.buffer(capacity: json.count + 1)
        buffer.writeInteger(version)
        buffer.writeBytes(json)
        return buffer
    }

    /// A JSON message from `buffer`, whose version byte has been read.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws(WireError) -> T {
        let decoder = JSONDecoder()
        decoder.userInfo[EventView.wireFormat] = true
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw .malformed("\(error)")
        }
    }

    package static func bytes(_ value: some BinaryEncodable) -> Data {
        var w = ByteWriter()
        value.encode(to: &w)
        return Data(w.bytes)
    }

    package static func value<T: BinaryDecodable>(_ type: T.Type, from data: Data) throws -> T {
        var r = ByteReader(Array(data))
        let v = try T(from: &r)
        guard r.isAtEnd else { throw DecodingFailure("trailing bytes after a \(T.self)") }
        return v
    }
}

public enum WireError: Error, Sendable, CustomStringConvertible {
    case version(UInt8)
    case malformed(String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case let .version(v): "the peer speaks protocol version \(v); this govconsole speaks \(Wire.version): run the same govconsole version on both ends"
        case let .malformed(why): "a malformed message (\(why))"
        case let .tooLarge(n): "a \(n)-byte frame, over the \(Wire.maxFrame)-byte limit"
        }
    }
}
