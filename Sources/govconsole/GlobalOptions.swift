import ArgumentParser
import ChainPrimitives
import DurableStorage
import Foundation
import GovernanceAPI

/// Options every subcommand takes, after its name: `govconsole vote 3 approve --as bob --data DIR`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("Data directory (default $GOVCONSOLE_DATA, else $XDG_DATA_HOME/govconsole, else ~/.local/share/govconsole).", valueName: "DIR"))
    var data: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Identity to act as (default $GOVCONSOLE_AS, else the first admin).", valueName: "NAME"))
    var identity: String?

    @Option(name: .customLong("keys"), help: ArgumentHelp("Keystore to sign with (default $GOVCONSOLE_KEYS, else the data directory's keys/).", valueName: "DIR"))
    var keys: String?

    @Option(name: .customLong("service"), help: ArgumentHelp("A running 'govconsole serve' to use: unix:PATH or HOST:PORT (default $GOVCONSOLE_SERVICE, else the data directory's own service if one runs).", valueName: "ADDRESS"))
    var service: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("The access token of a TCP service (default $GOVCONSOLE_TOKEN, else the data directory's service.token).", valueName: "PATH"))
    var tokenFile: String?

    @Flag(name: .long, help: "Print JSON instead of aligned text.")
    var json = false

    var directory: DataDirectory { DataDirectory.resolve(data) }

    /// `--data` if given, else the console's directory when run on its `:` line, else the default.
    func directory(in context: CommandContext) -> DataDirectory {
        data == nil ? context.directory ?? directory : directory
    }

    var keysDirectory: String {
        if let keys { return keys }
        if let env = ProcessInfo.processInfo.environment["GOVCONSOLE_KEYS"], !env.isEmpty { return env }
        return directory.keys
    }

    /// Runs `body` with the context's engine, else connects to the data directory's service, or opens its
    /// engine here, and closes it after. A query opens the engine `readOnly`: it takes no lock, writes
    /// nothing, and works on a full disk.
    func withEngine<T: Sendable>(in context: CommandContext, readOnly: Bool = false,
                                 _ body: (GovernanceClient) async throws -> T) async throws -> T {
        if let shared = context.engine { return try await body(shared) }
        let engine = try await Connect.client(self, readOnly: readOnly)
        do {
            let result = try await body(engine)
            await engine.close()
            return result
        } catch {
            await engine.close()
            throw error
        }
    }

    /// Runs a request as the identity this command acts as.
    func acting<T: Sendable>(in context: CommandContext, _ body: (GovernanceClient, String) async throws -> T) async throws -> T {
        try await withEngine(in: context) { engine in try await body(engine, try await actor(in: engine, context: context)) }
    }

    /// `--as`, else the context's identity (the console's), else `$GOVCONSOLE_AS`, else the first admin by name.
    func actor(in engine: GovernanceClient, context: CommandContext) async throws -> String {
        if let identity { return identity }
        if let inConsole = context.identity { return inConsole }
        if let env = ProcessInfo.processInfo.environment["GOVCONSOLE_AS"], !env.isEmpty { return env }
        return try await engine.members().first { $0.role == Role.admin.rawValue }?.name ?? "admin"
    }

    func emit<T: Encodable>(_ value: T, to context: CommandContext, human: () -> String) throws {
        // JSON is exact (its encoder escapes what must be); human text is made safe for the terminal.
        let text = json ? try Output.json(value) : Output.human(human())
        switch context.output {
        case .standardOutput: print(text)
        case let .capture(capture): capture.append(text)
        }
    }

    func emit<T: Encodable>(_ value: T, to context: CommandContext, human: (T) -> String) throws {
        try emit(value, to: context) { human(value) }
    }
}
