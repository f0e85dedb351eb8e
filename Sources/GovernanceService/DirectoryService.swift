import Foundation
import GovernanceEngine
import ServiceClient
#if canImport(Glibc)
import Glibc
#endif

/// An engine served to its data directory's other terminals: the listener, the address file a TCP
/// listener leaves for clients on this machine, and the tick that records lapsed votes. `govconsole serve`
/// and a console that runs its engine both serve through this one piece, so whoever attaches finds the
/// same service. The engine stays its owner's to close, after `stop`.
public final class DirectoryService: Sendable {
    public let server: GovernanceServer
    /// The address file written for a TCP listener; nil for a socket, which clients find by its path.
    private let addressFile: String?
    private let running: Task<Void, Never>
    private let ticker: Task<Void, Never>

    /// Starts serving `engine` on `address`. A socket file already there is replaced: the caller holds
    /// the directory's engine, so no live service can own it — it was left by one that was killed.
    public static func start(engine: GovernanceEngine, address: ServiceAddress, token: String?,
                             handshake: HandshakeLimits = HandshakeLimits(),
                             log: @escaping @Sendable (String) -> Void) async throws -> DirectoryService {
        let server = try await GovernanceServer.bind(engine: engine, address: address, token: token, handshake: handshake, log: log)
        var addressFile: String?
        if case .tcp = server.address {
            let file = ServiceAddress.addressFile(of: engine.dataDirectory)
            try? Data(server.address.description.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            addressFile = file
        }
        return DirectoryService(server: server, addressFile: addressFile)
    }

    private init(server: GovernanceServer, addressFile: String?) {
        self.server = server
        self.addressFile = addressFile
        running = Task { await server.run() }
        // Votes whose deadline passed are recorded even when nobody is looking.
        ticker = Task { [engine = server.engine] in
            while !Task.isCancelled {
                // Stopping cancels the sleep: no block is written on the way out.
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { break }
                _ = try? await engine.closeDue()
            }
        }
    }

    public var address: ServiceAddress { server.address }

    /// Returns when the service has stopped.
    public func wait() async {
        await running.value
    }

    /// Stops listening and ticking, closes every connection, and removes the socket or address file, so
    /// clients see a service that went away. Returns once nothing more will touch the engine.
    public func stop() async {
        await server.stop()
        await running.value
        ticker.cancel()
        await ticker.value
        if let addressFile { unlink(addressFile) }
    }
}
