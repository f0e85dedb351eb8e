import EtcdClient
import EtcdLauncher
import Foundation
import Testing

/// An etcd cluster for a suite: `.sharedCluster` suites share one (started by the first, stopped after the
/// last, so fewer etcd processes compete for the cores); an `.ownCluster` suite gets one to itself.
struct SuiteCluster: SuiteTrait, TestScoping {
    @TaskLocal static var current: LocalEtcdCluster?
    let shared: Bool

    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let cluster = if shared { try await SharedLocalEtcd.shared.acquire() } else { try await LocalEtcdCluster.start() }
        do {
            try await Self.$current.withValue(cluster) { try await function() }
        } catch {
            await release(cluster)
            throw error
        }
        await release(cluster)
    }

    func release(_ cluster: LocalEtcdCluster) async {
        if shared { await SharedLocalEtcd.shared.release() } else { await cluster.stop() }
    }
}

extension Trait where Self == SuiteCluster {
    static var sharedCluster: Self { .init(shared: true) }
    static var ownCluster: Self { .init(shared: false) }
}

/// The suite's cluster.
func cluster() throws -> LocalEtcdCluster {
    try #require(SuiteCluster.current, "the suite needs the .sharedCluster trait")
}

/// A client on every member of the suite's cluster, shut down after `body`, whatever it does.
func withClient<T>(
    _ endpoints: [String]? = nil, requestTimeout: Duration = .seconds(10), _ body: (EtcdClient) async throws -> T
) async throws -> T {
    var configuration = EtcdClient.Configuration()
    configuration.requestTimeout = requestTimeout
    let client = try EtcdClient(endpoints: endpoints ?? cluster().endpoints, configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// A key prefix no other test uses.
func freshPrefix(_ name: String) -> [UInt8] { Array("test/\(name)/\(UUID().uuidString.prefix(8))/".utf8) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Polls a condition that only progress can make true; the limit is there to fail, not to pace.
func waitUntil(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + limit
    while try !(await condition()) {
        try #require(ContinuousClock.now < end, "gave up waiting until \(what)")
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// The error `body` throws, when it is an EtcdError (nil when it throws nothing or something else).
func etcdError(_ body: () async throws -> Void) async -> EtcdError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? EtcdError
    }
}
