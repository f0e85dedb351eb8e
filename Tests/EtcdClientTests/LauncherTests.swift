import EtcdClient
import EtcdLauncher
import Foundation
import Testing

/// The local cluster itself: it cleans up after itself whether stopped or dropped.
@Suite(.timeLimit(.minutes(5))) struct LauncherTests {
    @Test func stopEndsEveryMemberAndRemovesTheDirectory() async throws {
        let cluster = try await LocalEtcdCluster.start()
        let endpoints = cluster.endpoints
        #expect(endpoints.count == 3 && FileManager.default.fileExists(atPath: cluster.directory))
        await cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
        try await withClient(endpoints) { client in
            #expect(await etcdError { try await client.put(bytes("k"), bytes("v")) } == .unreachable(endpoints: endpoints))
        }
    }

    @Test func droppingAClusterKillsItsMembers() async throws {
        var cluster: LocalEtcdCluster? = try await LocalEtcdCluster.start()
        let endpoints = try #require(cluster?.endpoints)
        let directory = try #require(cluster?.directory)
        cluster = nil
        #expect(!FileManager.default.fileExists(atPath: directory))
        try await withClient(endpoints) { client in
            try await waitUntil("the killed members' ports refuse") {
                await etcdError { try await client.put(bytes("k"), bytes("v")) } == .unreachable(endpoints: endpoints)
            }
        }
    }

    @Test func aMissingEtcdSaysHowToInstallIt() async {
        await #expect(throws: LaunchError.etcdNotFound) { try await LocalEtcdCluster.start(etcd: "/nonexistent/etcd") }
    }
}
