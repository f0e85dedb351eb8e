import Foundation
import GovernanceService
import ServiceClient

/// The same search through `govconsole serve`: a `GovernanceServer` on this bench's engine, listening on
/// a Unix socket, and clients that reach it only through `RemoteBackend` connections, as terminals do.
extension VoteBench {
    /// Connections the clients share (client `c` uses connection `c % connections`).
    var serviceConnections: Int { scale.voters < 10_000 ? 16 : 32 }

    func serviceSearch(ceiling: Double) async throws -> SLOSearch.Outcome {
        // Short, so it fits a Unix socket's 108 bytes whatever --data says.
        let socket = NSTemporaryDirectory() + "govbench-\(UUID().uuidString.prefix(8)).sock"
        // This process's own clients, starved of threads while a step runs, must not be put out of the lobby.
        let server = try await GovernanceServer.bind(engine: engine, address: .unix(path: socket), token: nil,
                                                     handshake: HandshakeLimits(timeout: .seconds(3600), capacity: 1024))
        let serving = Task { await server.run() }
        defer { serving.cancel() }
        var backends: [RemoteBackend] = []
        for i in 0..<serviceConnections {
            backends.append(try await RemoteBackend.connect(to: server.address, token: nil, client: "govbench-\(i)", patience: .seconds(60)))
        }
        let shape = loadShape
        progress.say("searching the service's rate at p99 ≤ 50 ms: \(shape.clients) clients over \(backends.count) connections to \(socket)")
        // Client c signs as voters c, c + clients…: each vote goes out on its client's connection.
        let connections = backends
        let route = Dictionary(uniqueKeysWithValues: voters.indices.map { i in (voters[i].name, i % shape.clients % connections.count) })
        let submit: (UInt64) -> OpenLoop.Submit = { since in
            { tx in
                let reply = try await connections[route[tx.sender]!].submit(tx, since: since)
                return Self.recordsTally(reply.receipt)
            }
        }
        try await settle(rate: 0.05 * ceiling, clients: shape.clients, submit: submit(await engine.chainState().height))
        var seed: UInt64 = 1_000
        let outcome = try await SLOSearch(low: 0.1 * ceiling, high: ceiling, steps: shape.steps).run { rate in
            seed += 1
            return try await openLoopStep(rate: rate, seed: seed, clients: shape.clients, submit: submit(await engine.chainState().height))
        }
        for b in backends { await b.close() }
        await server.stop()
        await serving.value
        return outcome
    }
}
