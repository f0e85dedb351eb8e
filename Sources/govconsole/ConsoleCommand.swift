import ArgumentParser
import ChainPrimitives
import ConsoleUI
import Foundation
import GovernanceAPI
import GovernanceEngine
import GovernanceService
import ServiceClient

/// The console's options, parsed by the root command.
struct ConsoleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Theme name (default, light, high-contrast, mono) or path to a theme file.", valueName: "NAME|PATH"))
    var theme: String = "default"

    @Flag(name: .customLong("no-traffic"), help: "Start without the traffic generator (g toggles it).")
    var noTraffic = false

    @Option(name: .customLong("traffic-rate"), help: "Calls per second the console's traffic generator sends (0.1 to 10000).")
    var trafficRate: Double = 4

    func validate() throws {
        guard trafficRate >= 0.1, trafficRate <= 10_000 else { throw ValidationError("--traffic-rate must be from 0.1 to 10000 calls per second") }
    }
}

enum ConsoleLauncher {
    /// Where theme files are looked for: $GOVCONSOLE_THEMES, ./Themes, the package's Themes beside the
    /// build, the installed share directory, and the data directory's themes.
    static func themeDirectories(data: DataDirectory) -> [String] {
        var dirs: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let t = env["GOVCONSOLE_THEMES"], !t.isEmpty { dirs.append(t) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Themes")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for up in ["../../Themes", "../../../Themes", "../share/govconsole/Themes"] {
            dirs.append(exe.appendingPathComponent(up).standardizedFileURL.path)
        }
        dirs.append(data.path + "/themes")
        return dirs.filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func run(global: GlobalOptions, options: ConsoleOptions) async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ConsoleError.terminal("the console needs a terminal; in scripts use a subcommand such as 'govconsole status' (see 'govconsole --help')")
        }
        let dir = global.directory
        // A console waits for its service for as long as it is open; the header says when it is away.
        let engine = try await Connect.client(global, createDemo: true, patience: nil)
        let logPath = dir.path + "/govconsole.log"
        // With no service to attach to, this console runs the engine, and serves it as `serve` would, so
        // commands and consoles in other terminals attach to it instead of finding the directory locked.
        var service: DirectoryService?
        var warning: String?
        if let local = engine.local {
            (service, warning) = await serve(local, log: ConsoleLog(path: logPath))
        }
        do {
            let members = try await engine.members()
            let identity = global.identity ?? members.first { $0.role == Role.admin.rawValue }?.name ?? "ops"
            guard members.contains(where: { $0.name == identity }) else {
                throw EngineError.unknownIdentity(identity, known: members.map(\.name))
            }
            let env = ProcessInfo.processInfo.environment
            let dumb = env["TERM"] == "dumb"
            let noColor = env["NO_COLOR"].map { !$0.isEmpty } ?? false
            let runtime = ConsoleRuntime(
                engine: engine, backend: NcursesBackend(monochrome: noColor || dumb || options.theme == "mono", ascii: dumb),
                runner: InProcessRunner(directory: dir),
                options: .init(identity: identity, theme: options.theme, themeDirectories: themeDirectories(data: dir),
                               monochrome: noColor || dumb || options.theme == "mono", ascii: dumb,
                               traffic: !options.noTraffic, trafficRate: options.trafficRate, logPath: logPath,
                               serving: service != nil, warning: warning))
            try await runtime.run()
        } catch {
            await service?.stop()
            await engine.close()
            throw error
        }
        // Quit or signal alike: clients see the service go, then the ledger is closed.
        await service?.stop()
        await engine.close()
    }

    /// Serves the console's engine on the directory's socket, the service's lines going to the console's
    /// log: the screen is the console's, and its one status line is for the outcome of its own requests,
    /// which every attaching command's "connected" would overwrite. A console that cannot serve still
    /// works, alone, and says why in its status line.
    static func serve(_ engine: GovernanceEngine, log: ConsoleLog) async -> (DirectoryService?, String?) {
        let address = ServiceAddress.socket(of: engine.dataDirectory)
        do {
            let service = try await DirectoryService.start(engine: engine, address: address, token: nil,
                                                          logger: .lines("govconsole.console") { log.write("service: \($0)") })
            log.write("service: serving \(engine.dataDirectory.path) on \(service.address)")
            return (service, nil)
        } catch {
            // The status line is narrow: what it means first, the socket by its file name; the log has the path.
            let reason = RemoteBackend.reason(error)
            log.write("service: cannot listen on \(address) (\(reason)); other terminals cannot use this data directory while the console is open")
            return (nil, "not serving other terminals: cannot listen on govconsole.sock (\(reason)); they cannot use this data directory while the console is open")
        }
    }
}
