import ArgumentParser
import ClusterOrdering
import Dispatch
import EmbeddedChain
import Foundation
import GovernanceAPI
import GovernanceEngine
import GovernanceService
import Logging
import ServiceClient
import ServiceLifecycle

/// `govconsole serve`: the engine as a long-lived process that consoles and commands attach to.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the engine as a service: consoles and commands on this data directory attach to it.",
        discussion: """
            By default it listens on a Unix socket in the data directory (govconsole.sock, mode 0600), where \
            the console and every subcommand look first. Over TCP it needs an access token, which it writes to \
            DIR/service.token (mode 0600) on first use, and it binds to loopback unless given another host. \
            Clients sign with their own keystores; the service sees only signed transactions. Stop it with \
            Ctrl-C or SIGTERM.
            """)

    @Option(help: ArgumentHelp("unix:PATH, HOST:PORT, or PORT on 127.0.0.1 (default unix:DIR/govconsole.sock).", valueName: "ADDRESS"))
    var listen: String?

    @Option(help: ArgumentHelp("Run this node of a consortium whose engines keep one ledger through etcd (the data directory comes from 'govconsole join').", valueName: "NAME"))
    var node: String?

    @Option(help: ArgumentHelp("etcd's client endpoints, comma-separated (with --node).", valueName: "URL[,URL…]"))
    var etcd: String?

    @Option(help: ArgumentHelp("Where this engine takes the transactions the other engines forward while it holds the sealer's seat, and the address they reach it at (with --node; default 127.0.0.1 on any free port, which only engines on this machine reach).", valueName: "HOST:PORT"))
    var peer: String?

    @Option(help: ArgumentHelp("Entries of the order kept in etcd behind the sealer's position (with --node; default 10000): older ones are deleted once every engine present has taken them, and an engine that needs them later takes their blocks from a peer.", valueName: "N"))
    var retainEntries: Int?

    @OptionGroup var global: GlobalOptions

    /// The cluster settings from --node, --etcd and --peer; --node and --etcd come together or not at all.
    func clusterSettings(logging logger: Logger) throws -> ClusterSettings? {
        switch (node, etcd) {
        case (nil, nil):
            if peer != nil { throw ValidationError("--peer needs --node NAME and --etcd URL[,URL…]: only an engine of a cluster takes forwarded transactions") }
            if retainEntries != nil { throw ValidationError("--retain-entries needs --node NAME and --etcd URL[,URL…]: only a cluster keeps its order in etcd") }
            return nil
        case (nil, _?): throw ValidationError("--etcd needs --node NAME: the node this engine runs")
        case (_?, nil): throw ValidationError("--node needs --etcd URL[,URL…]: the etcd cluster the engines order through")
        case let (node?, etcd?):
            let endpoints = etcd.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for e in endpoints where !(e.hasPrefix("http://") || e.hasPrefix("https://")) {
                throw ValidationError("etcd endpoint '\(e)' is not a URL; write it as http://HOST:PORT")
            }
            guard !endpoints.isEmpty else { throw ValidationError("--etcd names no endpoint; write it as http://HOST:PORT[,…]") }
            let (host, port) = try peer.map(Self.peerAddress) ?? ("127.0.0.1", 0)
            if let retainEntries, retainEntries < 1 {
                throw ValidationError("--retain-entries \(retainEntries) keeps nothing; give at least 1 (the default is \(ClusterNode.defaultRetainEntries))")
            }
            return ClusterSettings(node: node, etcd: endpoints, peerHost: host, peerPort: port,
                                   retainEntries: retainEntries ?? ClusterNode.defaultRetainEntries, logger: logger)
        }
    }

    /// HOST:PORT the other engines can reach: a wildcard host would be announced as itself, which they cannot.
    static func peerAddress(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw ValidationError("--peer '\(text)' is not HOST:PORT; write it as 10.0.0.5:7443")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !["0.0.0.0", "::", "*"].contains(host) else {
            throw ValidationError("--peer needs an address the other engines reach this machine at, not '\(host)'; write it as 10.0.0.5:7443")
        }
        return (host, port)
    }

    struct Started: Encodable {
        let data: String
        let address: String
        let height: UInt64
        let pid: Int32
        let tokenFile: String?
        /// The consortium node this engine runs, when it orders through etcd.
        let node: String?
    }

    func run() async throws {
        let dir = global.directory
        let requested = try listen.map { try ServiceAddress(parsing: $0) } ?? .socket(of: dir)
        if let running = try? await Connect.service(global, patience: .zero) {
            let at = running.address
            await running.close()
            throw ServiceError.refused("a service is already running for \(dir.path) at \(at); attach to it instead of starting another")
        }
        // One line per event on stderr, stamped, as people read a log; levels and metadata stay out.
        let logger = Logger.lines("govconsole.serve") { warn("\(Output.time(Date())) \($0)") }
        let cluster = try clusterSettings(logging: logger)
        let engine = try await Connect.embedded(dir, createDemo: cluster == nil, cluster: cluster)
        let token: String?
        if case .tcp = requested {
            token = try Self.token(at: ServiceAddress.tokenFile(of: dir))
            if !requested.isLoopback { warn("warning: listening on \(requested), reachable from other machines; the access token is the only guard and travels unencrypted") }
        } else {
            token = nil
        }
        let service: DirectoryService
        do {
            service = try await DirectoryService.bind(engine: engine, address: requested, token: token, logger: logger)
        } catch {
            await engine.close()
            throw ServiceError.refused("cannot listen on \(requested): \(RemoteBackend.reason(error)); choose another --listen")
        }
        let height = await engine.status().height
        let started = Started(data: dir.path, address: service.address.description, height: height, pid: getpid(),
                              tokenFile: token == nil ? nil : ServiceAddress.tokenFile(of: dir), node: cluster?.node)
        let announcement = Announcement { [global] in
            try global.emit(started, to: .standalone) {
                "serving \(dir.path)" + (cluster.map { " as \($0.node), ordering through etcd at \($0.etcd.joined(separator: ","))," } ?? "")
                    + " at height \(height) on \(service.address)" + (token == nil ? "" : " (token in \(ServiceAddress.tokenFile(of: dir)))")
                    + "; stop with Ctrl-C"
            }
            fflush(nil)
        }
        // A stop signal shuts the group down gracefully: the ticker stops, then the listener (its socket
        // removed, every connection closed, requests already running finished); then the ledger closes.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: announcement, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup),
        ], gracefulShutdownSignals: [.sigint, .sigterm, .sighup], logger: logger))
        do {
            try await group.run()
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
        warn("service stopped; the ledger is closed")
    }

    /// Tells the world the service is up. A service of the group, so it runs only once the group has
    /// trapped the stop signals: whoever stops the service on seeing this line leaves a clean directory.
    struct Announcement: Service {
        let announce: @Sendable () throws -> Void
        func run() throws { try announce() }
    }

    /// The data directory's access token, made (32 random bytes, hex, mode 0600) on first use.
    static func token(at path: String) throws -> String {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
                throw ServiceError.refused("token file \(path) is readable by others; run 'chmod 600 \(path)'")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var rng = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }.hexString
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServiceError.refused("cannot create the token file \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array((token + "\n").utf8)
        let ok = write(fd, bytes, bytes.count) == bytes.count
        close(fd)
        guard ok else { throw ServiceError.refused("cannot write the token file \(path)") }
        return token
    }
}
