/// Why a call to etcd failed; each description is one line that says what to do.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    case noEndpoints
    case badEndpoint(String)
    /// No endpoint accepted a connection.
    case unreachable(endpoints: [String])
    /// A member answered but could not serve the request: no leader, no quorum, or the deadline passed.
    case unavailable(String)
    case requestTooLarge(bytes: Int)
    /// The revision asked for is older than the oldest etcd still keeps.
    case compacted(revision: Int64)
    case leaseNotFound(Int64)
    /// A watch's connection broke after it was established; resuming it is the caller's job.
    case watchLost(endpoint: String, reason: String)
    case server(code: Int, message: String)
    case malformedResponse(String)
    case cancelled

    public var description: String {
        switch self {
        case .noEndpoints:
            "no etcd endpoints given: pass at least one, like http://127.0.0.1:2379"
        case let .badEndpoint(text):
            "bad etcd endpoint \(Self.oneLine(text).debugDescription): write it as http://HOST:PORT or https://HOST:PORT"
        case let .unreachable(endpoints):
            "etcd unreachable at \(endpoints.joined(separator: ", ")): start it or pass the right --etcd endpoints"
        case let .unavailable(reason):
            "etcd could not serve the request (\(Self.oneLine(reason))): wait until a quorum of its members is back"
        case let .requestTooLarge(bytes):
            "etcd refused a request of \(bytes) bytes as too large: keep each value under 1.5 MiB (etcd's --max-request-bytes)"
        case let .compacted(revision):
            "etcd has compacted its history up to revision \(revision): read the current state with a range and continue from there"
        case let .leaseNotFound(id):
            "etcd lease \(id) has expired or was revoked: grant a new one"
        case let .watchLost(endpoint, reason):
            "the etcd watch on \(endpoint) broke (\(Self.oneLine(reason))): watch again from the last revision seen + 1"
        case let .server(code, message):
            "etcd refused the request: \(Self.oneLine(message)) (gRPC code \(code))"
        case let .malformedResponse(detail):
            "etcd sent a response this client cannot read (\(Self.oneLine(detail))): check that the endpoints are etcd 3.4 or later"
        case .cancelled:
            "the etcd request was cancelled"
        }
    }

    /// Server text may carry newlines; an error stays on one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
