import Foundation
import GovernanceEngine
import Logging
import ServiceClient
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An engine served to its data directory's other terminals: the listener, the address file a TCP
/// listener leaves for clients on this machine, and the tick that records lapsed votes, run as one
/// group. `govconsole serve` runs it as a `Service` in its own group; a console that runs its engine
/// `start`s and `stop`s it; either way whoever attaches finds the same service. The engine stays its
/// owner's to close, once this has stopped.
public final class DirectoryService: Service, Sendable {
    public let server: GovernanceServer
    /// The address file written for a TCP listener; nil for a socket, which clients find by its path.
    private let addressFile: String?
    /// The listener and the ticker; shutting down goes in reverse, so the ticker stops first.
    private let group: ServiceGroup
    /// The task `start` runs it in, for `stop` to wait on.
    private let started = Mutex<Task<Void, Never>?>(nil)

    /// Listens on `address` for `engine`, serving nobody until it runs. A socket file already there is
    /// replaced: the caller holds the directory's engine, so no live service can own it — it was left
    /// by one that was killed.
    public static func bind(engine: GovernanceEngine, address: ServiceAddress, token: String?,
                            handshake: HandshakeLimits = HandshakeLimits(), logger: Logger) async throws -> DirectoryService {
        let server = try await GovernanceServer.bind(engine: engine, address: address, token: token, handshake: handshake, logger: logger)
        var addressFile: String?
        if case .tcp = server.address {
            let file = ServiceAddress.addressFile(of: engine.dataDirectory)
            try? Data(server.address.description.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            addressFile = file
        }
        return DirectoryService(server: server, addressFile: addressFile, logger: logger)
    }

    /// Binds and starts serving at once, for an owner with no service group of its own: it calls `stop`.
    public static func start(engine: GovernanceEngine, address: ServiceAddress, token: String?,
                             handshake: HandshakeLimits = HandshakeLimits(), logger: Logger) async throws -> DirectoryService {
        let service = try await bind(engine: engine, address: address, token: token, handshake: handshake, logger: logger)
        service.started.withLock { $0 = Task { try? await service.run() } }
        return service
    }

    private init(server: GovernanceServer, addressFile: String?, logger: Logger) {
        self.server = server
        self.addressFile = addressFile
        // Either one ending on its own takes the other down, and so the whole service.
        group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: DueVoteTicker(engine: server.engine), successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup),
        ], logger: logger))
    }

    public var address: ServiceAddress { server.address }

    /// Serves until the group running it shuts down (or `stop`), then removes the socket or address
    /// file, so clients see a service that went away. Returns once nothing more will touch the engine.
    public func run() async throws {
        defer { if let addressFile { unlink(addressFile) } }
        try await group.run()
    }

    /// Stops listening and ticking and closes every connection; returns, for a service `start`ed,
    /// once nothing more will touch the engine.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await started.withLock { $0 }?.value
    }
}
