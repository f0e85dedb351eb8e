/// Why a local etcd cluster could not be started; each says what to do.
public enum LaunchError: Error, Sendable, Equatable, CustomStringConvertible {
    case etcdNotFound
    case memberExited(member: Int, reason: String)
    case notHealthy(seconds: Int, lastWords: String)
    case noTemporaryDirectory(String)

    public var description: String {
        switch self {
        case .etcdNotFound:
            "etcd not found: apt-get install etcd-server"
        case let .memberExited(member, reason):
            "etcd member m\(member) exited at start (\(reason.split(whereSeparator: \.isNewline).joined(separator: " "))): check that nothing else holds its ports and that etcd 3.4 runs here"
        case let .notHealthy(seconds, lastWords):
            "the local etcd cluster was not healthy after \(seconds) s; what its members logged last: \(lastWords.split(whereSeparator: \.isNewline).joined(separator: " "))"
        case let .noTemporaryDirectory(reason):
            "could not make a temporary directory for etcd (\(reason)): check that /tmp is writable"
        }
    }
}
