import DurableStorage
import Foundation
import GovernanceAPI
import GovernanceEngine
import ServiceClient

/// Finds the engine for a data directory: a running service if there is one, else an engine embedded in
/// this process. Requests are signed here either way, with this terminal's keystore.
enum Connect {
    /// `createDemo` makes the demo consortium when the directory has no chain yet (the console and
    /// `serve` do; other commands report the missing chain). `patience` is how long a lost service is
    /// waited for before a request fails; nil waits for ever.
    static func client(_ global: GlobalOptions, createDemo: Bool = false, patience: Duration? = .seconds(30),
                       readOnly: Bool = false) async throws -> GovernanceClient {
        let keystore = Keystore(directory: global.keysDirectory)
        if let remote = try await service(global, patience: patience) {
            return GovernanceClient(backend: remote, keystore: keystore, compiler: WasmContractCompiler())
        }
        return GovernanceClient(backend: try await embedded(global.directory, createDemo: createDemo, readOnly: readOnly), keystore: keystore, compiler: WasmContractCompiler())
    }

    static func embedded(_ dir: DataDirectory, createDemo: Bool, readOnly: Bool = false, cluster: ClusterSettings? = nil) async throws -> GovernanceEngine {
        let engine: GovernanceEngine
        do {
            engine = try await GovernanceEngine.open(at: dir, readOnly: readOnly, cluster: cluster)
        } catch LedgerError.missing where createDemo {
            warn("no chain in \(dir.path) yet; creating the demo consortium there")
            engine = try await GovernanceEngine.create(at: dir, consortium: try .demo())
        }
        for w in engine.warnings { warn("warning: \(w)") }
        return engine
    }

    /// The service named by --service or $GOVCONSOLE_SERVICE (which must answer), else the one whose
    /// socket or address file is in the data directory (a stale one, left by a service that was killed,
    /// is passed over).
    static func service(_ global: GlobalOptions, patience: Duration?) async throws -> RemoteBackend? {
        let dir = global.directory
        // Named for the service's log by its subcommand; with none it is the console.
        let commands = Set(GovConsole.configuration.subcommands.map { $0._commandName })
        let command = CommandLine.arguments.dropFirst().first { commands.contains($0) } ?? "console"
        let client = "\(command) (pid \(getpid()))"
        let env = ProcessInfo.processInfo.environment
        if let named = global.service ?? env["GOVCONSOLE_SERVICE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let address = try ServiceAddress(parsing: named)
            return try await RemoteBackend.connect(to: address, token: try token(global, for: address), client: client,
                                                   patience: patience, waiting: patience ?? .seconds(3600))
        }
        var candidates = [ServiceAddress.socket(of: dir)]
        if let text = try? String(contentsOfFile: ServiceAddress.addressFile(of: dir), encoding: .utf8),
           let address = try? ServiceAddress(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            candidates.append(address)
        }
        for address in candidates {
            if case let .unix(path) = address, !FileManager.default.fileExists(atPath: path) { continue }
            do {
                return try await RemoteBackend.connect(to: address, token: try token(global, for: address), client: client, patience: patience)
            } catch ServiceError.unreachable {
                continue
            }
        }
        return nil
    }

    /// A TCP service's access token: --token-file, else $GOVCONSOLE_TOKEN, else the data directory's.
    static func token(_ global: GlobalOptions, for address: ServiceAddress) throws -> String? {
        guard case .tcp = address else { return nil }
        if let file = global.tokenFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ServiceError.refused("cannot read --token-file \(file); give the path of the service's service.token")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let env = ProcessInfo.processInfo.environment["GOVCONSOLE_TOKEN"], !env.isEmpty { return env }
        return (try? String(contentsOfFile: ServiceAddress.tokenFile(of: global.directory), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
