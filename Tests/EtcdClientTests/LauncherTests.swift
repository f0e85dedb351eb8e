import EtcdClient
import EtcdLauncher
import Foundation
import Testing

/// The local cluster itself: it cleans up after itself whether stopped or dropped.
@Suite(.timeLimit(.minutes(5))) struct LauncherTests {
    @Test func stopEndsEveryMemberAndRemovesTheDirectory() async throws {
        let cluster = try await LocalEtcdCluster.start()
        let endpoints = cluster.endpoints
        let processes = cluster.processIDs
        #expect(endpoints.count == 3 && FileManager.default.fileExists(atPath: cluster.directory))
        await cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
        #expect(!processes.contains(where: isAlive))
        try await withClient(endpoints) { client in
            #expect(await etcdError { try await client.put(bytes("k"), bytes("v")) } == .unreachable(endpoints: endpoints))
        }
    }

    @Test func droppingAClusterKillsItsMembers() async throws {
        var cluster: LocalEtcdCluster? = try await LocalEtcdCluster.start()
        let directory = try #require(cluster?.directory)
        let processes = try #require(cluster?.processIDs)
        #expect(processes.count == 3 && processes.allSatisfy(isAlive))
        cluster = nil
        #expect(!processes.contains(where: isAlive))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func aMissingEtcdSaysHowToInstallIt() async {
        await #expect(throws: LaunchError.etcdNotFound) { try await LocalEtcdCluster.start(etcd: "/nonexistent/etcd") }
    }
}

/// Whether the process exists and is not a zombie (a killed child waits as one until it is reaped).
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(close, offsetBy: 2)] != "Z"
}
