import Foundation

// The response bodies of etcd 3.4's JSON gateway. Every field is optional: the gateway omits a field that
// holds its proto3 default (0, false, empty), so "absent" reads as zero, false or empty.

struct ResponseHeader: Decodable {
    var memberID: EtcdNumber<UInt64>?
    var revision: EtcdNumber<Int64>?
    var raftTerm: EtcdNumber<UInt64>?

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id"
        case revision
        case raftTerm = "raft_term"
    }
}

struct WireKeyValue: Decodable {
    var key: Data?
    var value: Data?
    var createRevision: EtcdNumber<Int64>?
    var modRevision: EtcdNumber<Int64>?
    var version: EtcdNumber<Int64>?
    var lease: EtcdNumber<Int64>?

    enum CodingKeys: String, CodingKey {
        case key, value, version, lease
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }
}

struct PutResponse: Decodable {
    var header: ResponseHeader?
}

struct RangeResponse: Decodable {
    var header: ResponseHeader?
    var kvs: [WireKeyValue]?
    var count: EtcdNumber<Int64>?
    var more: Bool?
}

struct DeleteRangeResponse: Decodable {
    var header: ResponseHeader?
    var deleted: EtcdNumber<Int64>?
}

struct TxnResponse: Decodable {
    struct ResponseOp: Decodable {
        var responseRange: RangeResponse?
        var responsePut: PutResponse?

        enum CodingKeys: String, CodingKey {
            case responseRange = "response_range"
            case responsePut = "response_put"
        }
    }

    var header: ResponseHeader?
    var succeeded: Bool?
    var responses: [ResponseOp]?
}

/// One line of a streamed response: `{"result":…}`, or `{"error":…}` when the stream failed.
struct StreamLine<Result: Decodable>: Decodable {
    struct StreamError: Decodable {
        var grpcCode: Int?
        var message: String?

        enum CodingKeys: String, CodingKey {
            case grpcCode = "grpc_code"
            case message
        }
    }

    var result: Result?
    var error: StreamError?
}

struct WatchResponse: Decodable {
    struct Event: Decodable {
        var type: String?  // absent for PUT
        var kv: WireKeyValue?
    }

    var header: ResponseHeader?
    var created: Bool?
    var canceled: Bool?
    var compactRevision: EtcdNumber<Int64>?
    var cancelReason: String?
    var events: [Event]?

    enum CodingKeys: String, CodingKey {
        case header, created, canceled, events
        case compactRevision = "compact_revision"
        case cancelReason = "cancel_reason"
    }
}

/// lease/grant's answer and each keepalive line's result; a TTL absent (0) means the lease is gone.
struct LeaseResponse: Decodable {
    var header: ResponseHeader?
    var id: EtcdNumber<Int64>?
    var ttl: EtcdNumber<Int64>?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case header, error
        case id = "ID"
        case ttl = "TTL"
    }
}

struct StatusResponse: Decodable {
    var header: ResponseHeader?
    var dbSize: EtcdNumber<Int64>?
    var leader: EtcdNumber<UInt64>?
    var raftTerm: EtcdNumber<UInt64>?
    var errors: [String]?
}

struct MemberListResponse: Decodable {
    struct WireMember: Decodable {
        var id: EtcdNumber<UInt64>?
        var name: String?
        var peerURLs: [String]?
        var clientURLs: [String]?

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case name, peerURLs, clientURLs
        }
    }

    var header: ResponseHeader?
    var members: [WireMember]?
}

/// The body of a failed call: `{"error":"…","message":"…","code":N}` with a gRPC code.
struct ErrorResponse: Decodable {
    var error: String?
    var message: String?
    var code: Int?
}
