import AsyncHTTPClient
import NIOCore
import NIOSSL
import Synchronization

/// A typed client for etcd 3.4's JSON gateway (`/v3/...`), over async-http-client.
///
/// Each call tries the endpoints in turn, starting from the last one that answered; a refused or reset
/// connection moves on at once, and one deadline bounds the whole call. A call that fails after its
/// request was sent may still have been applied, so every write here is safe to repeat.
public final class EtcdClient: Sendable {
    public struct Configuration: Sendable {
        /// The deadline of one call, across all the endpoints it tries.
        public var requestTimeout: Duration = .seconds(10)
        /// How long to wait for a TCP connection to one endpoint before trying the next.
        public var connectTimeout: Duration = .seconds(1)
        /// The most concurrent watches per endpoint; each holds an HTTP/1.1 connection for its life.
        public var maxWatchesPerEndpoint = 64

        public init() {}
    }

    public let endpoints: [String]
    let configuration: Configuration
    let http: HTTPClient
    /// Watches get their own client, with no read timeout, so long-lived streams never starve other calls.
    let watchHTTP: HTTPClient
    /// The index of the endpoint that answered last; calls start there.
    let preferred = Mutex(0)

    /// - Parameter endpoints: like `http://127.0.0.1:2379`; `https://` uses `tls`, or the system's trust roots.
    public init(endpoints: [String], tls: TLSConfiguration? = nil, configuration: Configuration = .init()) throws(EtcdError) {
        guard !endpoints.isEmpty else { throw .noEndpoints }
        self.endpoints = try endpoints.map { text throws(EtcdError) in try Self.normalised(text) }
        self.configuration = configuration
        let secure = self.endpoints.contains { $0.hasPrefix("https://") }
        let tlsConfiguration = tls ?? (secure ? TLSConfiguration.makeClientConfiguration() : nil)
        let connect = TimeAmount(configuration.connectTimeout)

        var unary = HTTPClient.Configuration(tlsConfiguration: tlsConfiguration, timeout: .init(connect: connect, read: nil))
        unary.connectionPool.retryConnectionEstablishment = false  // a dead member must fail at once, not retry for 10 s
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: unary)

        var streaming = unary
        streaming.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxWatchesPerEndpoint
        watchHTTP = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: streaming)
    }

    /// Closes every connection; call it once, when done with the client.
    public func shutdown() async {
        try? await http.shutdown()
        try? await watchHTTP.shutdown()
    }

    /// A client dropped without `shutdown()` (a test that threw) still closes its connections, rather than
    /// tripping async-http-client's debug-build check.
    deinit {
        _ = http.shutdown()
        _ = watchHTTP.shutdown()
    }

    /// `http://HOST:PORT` or `https://HOST:PORT`, without a trailing slash.
    static func normalised(_ text: String) throws(EtcdError) -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        for scheme in ["http://", "https://"] where trimmed.hasPrefix(scheme) {
            let rest = trimmed.dropFirst(scheme.count)
            guard let colon = rest.lastIndex(of: ":"), !rest[..<colon].isEmpty,
                  let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port),
                  !rest.contains("/")
            else { throw .badEndpoint(text) }
            return trimmed
        }
        throw .badEndpoint(text)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
