import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension EtcdClient {
    /// Each endpoint's own view of the cluster, asked of every endpoint at once (no failover: that is the point).
    public func status() async -> [MemberStatus] {
        await withTaskGroup(of: MemberStatus.self) { group in
            for endpoint in endpoints {
                group.addTask { MemberStatus(endpoint: endpoint, report: await self.report(of: endpoint)) }
            }
            let answers = await group.reduce(into: [MemberStatus]()) { $0.append($1) }
            return endpoints.compactMap { endpoint in answers.first { $0.endpoint == endpoint } }
        }
    }

    func report(of endpoint: String) async -> Result<MemberStatus.Report, EtcdError> {
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        do {
            let (status, bytes) = try await post(endpoint + "/v3/maintenance/status", try Self.encode(EmptyRequest()), client: http, deadline: deadline)
            guard status == .ok else { return .failure(Self.refusal(status: status, body: bytes, payloadBytes: 0)) }
            let response = try Self.decode(StatusResponse.self, from: bytes)
            return .success(MemberStatus.Report(
                memberID: response.header?.memberID.orZero() ?? 0,
                leaderID: response.leader.map(\.value).flatMap { $0 == 0 ? nil : $0 },
                raftTerm: response.raftTerm.orZero(), revision: response.header?.revision.orZero() ?? 0,
                dbSize: response.dbSize.orZero(), errors: response.errors ?? []
            ))
        } catch let error as EtcdError {
            return .failure(error)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return .failure(.unavailable("no answer within \(configuration.requestTimeout)"))
        } catch {
            return .failure(.unreachable(endpoints: [endpoint]))
        }
    }

    /// The cluster's members, as the first endpoint that answers lists them.
    public func members() async throws(EtcdError) -> [Member] {
        let response = try await call("/v3/cluster/member/list", EmptyRequest(), as: MemberListResponse.self)
        return (response.members ?? []).map {
            Member(id: $0.id.orZero(), name: $0.name ?? "", clientURLs: $0.clientURLs ?? [], peerURLs: $0.peerURLs ?? [])
        }
    }

    /// Discards the history before `revision` (keys keep their latest value); watches and reads from older
    /// revisions fail with `compacted` afterwards.
    public func compact(revision: Int64) async throws(EtcdError) {
        do throws(EtcdError) {
            _ = try await call("/v3/kv/compaction", CompactionRequest(revision: EtcdNumber(revision), physical: true), as: PutResponse.self)
        } catch {
            if case let .server(_, message) = error, message.contains("compacted") { throw .compacted(revision: revision) }
            throw error
        }
    }

    /// Whether `GET endpoint/health` answers `{"health":"true"}`: the member is up and has a leader.
    public func isHealthy(_ endpoint: String) async -> Bool {
        var request = HTTPClientRequest(url: endpoint + "/health")
        request.method = .GET
        guard let response = try? await http.execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout)),
              let body = try? await response.body.collect(upTo: 1 << 16)
        else { return false }
        return response.status == .ok && String(buffer: body).contains(#""health":"true""#)
    }
}
