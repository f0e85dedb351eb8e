import EtcdClient
import Testing

/// Status and membership as each member reports them.
@Suite(.sharedCluster, .timeLimit(.minutes(5))) struct ClusterTests {
    @Test func statusNamesOneLeaderAmongThree() async throws {
        try await withClient { client in
            var reports: [MemberStatus.Report] = []
            // Between elections the members may disagree for a moment; wait until all three agree.
            try await waitUntil("all three members name the same leader") {
                reports = await client.status().compactMap(\.answered)
                return reports.count == 3 && Set(reports.map(\.leaderID)).count == 1 && reports[0].leaderID != nil
            }
            #expect(reports.filter(\.isLeader).count == 1)
            #expect(Set(reports.map(\.memberID)).count == 3)
            #expect(reports.allSatisfy { $0.raftTerm > 0 && $0.revision > 0 && $0.dbSize > 0 && $0.errors.isEmpty })
            let leader = try #require(await cluster().leaderIndex())
            #expect(reports[leader].isLeader)
        }
    }

    @Test func membersListsTheThreeWithTheirClientURLs() async throws {
        try await withClient { client in
            let members = try await client.members()
            #expect(Set(members.map(\.name)) == ["m0", "m1", "m2"])
            #expect(Set(members.flatMap(\.clientURLs)) == Set(try cluster().endpoints))
            #expect(Set(members.map(\.id)).count == 3)
            let reported = Set(await client.status().compactMap { $0.answered?.memberID })
            #expect(reported == Set(members.map(\.id)))
        }
    }
}
