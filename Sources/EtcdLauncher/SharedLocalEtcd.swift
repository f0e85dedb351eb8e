/// One local etcd cluster shared by whoever needs one at the same time (test suites that each keep to
/// their own keys): started by the first, stopped after the last, so fewer etcd processes compete for
/// the cores.
public actor SharedLocalEtcd {
    public static let shared = SharedLocalEtcd()
    private var starting: Task<LocalEtcdCluster, any Error>?
    private var users = 0

    public func acquire() async throws -> LocalEtcdCluster {
        users += 1
        let start = starting ?? Task { try await LocalEtcdCluster.start() }
        starting = start
        do {
            return try await start.value
        } catch {
            users -= 1
            if users == 0 { starting = nil }
            throw error
        }
    }

    public func release() async {
        users -= 1
        guard users == 0, let start = starting else { return }
        starting = nil
        await (try? start.value)?.stop()
    }
}
