import Foundation

// The request bodies of etcd 3.4's JSON gateway. Field names are exact: the gateway silently ignores a
// misspelt one, so each shape here is exercised by a test against a real etcd. `Data` encodes as base64.

struct PutRequest: Encodable {
    var key: Data
    var value: Data
    var lease: EtcdNumber<Int64>?
}

struct RangeRequest: Encodable {
    var key: Data
    var rangeEnd: Data?
    var limit: EtcdNumber<Int64>?
    var sortOrder: String?
    var sortTarget: String?
    var serializable: Bool?

    enum CodingKeys: String, CodingKey {
        case key, limit, serializable
        case rangeEnd = "range_end"
        case sortOrder = "sort_order"
        case sortTarget = "sort_target"
    }
}

struct DeleteRangeRequest: Encodable {
    var key: Data
    var rangeEnd: Data?

    enum CodingKeys: String, CodingKey {
        case key
        case rangeEnd = "range_end"
    }
}

/// One condition of a txn on a key's create_revision (the only target this client needs).
struct Compare: Encodable {
    var key: Data
    var result: String  // EQUAL, GREATER, LESS, NOT_EQUAL
    var target = "CREATE"
    var createRevision: EtcdNumber<Int64>

    enum CodingKeys: String, CodingKey {
        case key, result, target
        case createRevision = "create_revision"
    }
}

struct RequestOp: Encodable {
    var requestPut: PutRequest?
    var requestRange: RangeRequest?

    enum CodingKeys: String, CodingKey {
        case requestPut = "request_put"
        case requestRange = "request_range"
    }
}

struct TxnRequest: Encodable {
    var compare: [Compare]
    var success: [RequestOp]
    var failure: [RequestOp]
}

struct WatchRequest: Encodable {
    struct Create: Encodable {
        var key: Data
        var rangeEnd: Data
        var startRevision: EtcdNumber<Int64>

        enum CodingKeys: String, CodingKey {
            case key
            case rangeEnd = "range_end"
            case startRevision = "start_revision"
        }
    }

    var createRequest: Create

    enum CodingKeys: String, CodingKey {
        case createRequest = "create_request"
    }
}

struct LeaseGrantRequest: Encodable {
    var ttl: EtcdNumber<Int64>

    enum CodingKeys: String, CodingKey {
        case ttl = "TTL"
    }
}

/// The body of lease keepalive, revoke and timetolive.
struct LeaseIDRequest: Encodable {
    var id: EtcdNumber<Int64>

    enum CodingKeys: String, CodingKey {
        case id = "ID"
    }
}

struct CompactionRequest: Encodable {
    var revision: EtcdNumber<Int64>
    var physical: Bool
}

/// The body of maintenance/status and cluster/member/list.
struct EmptyRequest: Encodable {}
