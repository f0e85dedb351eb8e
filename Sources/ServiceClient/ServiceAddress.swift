import Foundation
import GovernanceAPI

/// Where a service listens, and where its clients find it: `unix:PATH`, `HOST:PORT`, or just `PORT`
/// (which means loopback).
public enum ServiceAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// The socket a service for `dir` listens on by default, and where its clients look first.
    public static func socket(of dir: DataDirectory) -> ServiceAddress { .unix(path: dir.path + "/govconsole.sock") }
    /// Where a service listening on TCP writes its address, so clients on this machine find it too.
    public static func addressFile(of dir: DataDirectory) -> String { dir.path + "/service.address" }
    /// The access token a TCP service requires; made on first use, mode 0600.
    public static func tokenFile(of dir: DataDirectory) -> String { dir.path + "/service.token" }

    public init(parsing text: String) throws(ServiceError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw .badAddress(text, "give a socket path after unix:") }
            // sun_path holds 108 bytes with its terminating zero.
            guard path.utf8.count < 108 else { throw .badAddress(text, "a socket path must be under 108 bytes; choose a shorter one") }
            self = .unix(path: path)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let host = parts.count == 1 ? "127.0.0.1" : parts.dropLast().joined(separator: ":")
        guard parts.count <= 2 || host.hasPrefix("[") else { throw .badAddress(text, "write an IPv6 host in brackets, like [::1]:7070") }
        guard let port = Int(parts.last!), (1...65535).contains(port) || (port == 0 && parts.count == 2) else {
            throw .badAddress(text, "use unix:PATH, HOST:PORT or PORT, with a port from 1 to 65535")
        }
        guard !host.isEmpty else { throw .badAddress(text, "give a host before the colon, like 127.0.0.1:\(port)") }
        self = .tcp(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
    }

    public var description: String {
        switch self {
        case let .unix(path): "unix:\(path)"
        case let .tcp(host, port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .unix: true
        case let .tcp(host, _): host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }
}

/// Why a service could not be started or reached; each says what to do.
public enum ServiceError: Error, Sendable, CustomStringConvertible {
    case badAddress(String, String)
    case unreachable(String, String)
    case refused(String)
    case lost(String, seconds: Int)
    case tokenMissing(String)
    case closed

    public var description: String {
        switch self {
        case let .badAddress(text, hint): "'\(text)' is not a service address; \(hint)"
        case let .unreachable(address, why): "cannot reach the service at \(address) (\(why)); start it with 'govconsole serve' or check the address"
        case let .refused(message): message
        case let .lost(address, seconds):
            "lost the service at \(address) and could not reconnect for \(seconds)s; the request may or may not have been recorded — restart 'govconsole serve' and check with 'govconsole show' or 'govconsole events'"
        case let .tokenMissing(address): "the service at \(address) needs its access token; pass --token-file or set GOVCONSOLE_TOKEN"
        case .closed: "the connection to the service was closed"
        }
    }
}
