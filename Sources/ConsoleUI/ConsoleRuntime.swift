import Foundation
import GovernanceAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a CLI command line against the console's engine; the executable provides it, so the command
/// line (`:`) and the propose form accept exactly what the CLI accepts.
public protocol CommandRunner: Sendable {
    func run(_ args: [String], engine: GovernanceClient, identity: String) async -> (ok: Bool, text: String)
}

/// The console's loop. One thread owns the terminal: it waits for input or a wake-up, turns input,
/// pushed events and ticks into messages, runs `update`, and draws at most 30 frames a second, only when
/// something changed. Engine work runs in tasks that post their results back as messages.
public final class ConsoleRuntime: @unchecked Sendable {
    public struct Options: Sendable {
        public var identity: String
        public var theme: String
        public var themeDirectories: [String]
        public var monochrome: Bool
        public var ascii: Bool
        public var traffic: Bool
        public var trafficRate: Double
        public var logPath: String
        /// The engine runs here and is served to the data directory's other terminals too.
        public var serving: Bool
        /// Something to show in the status line as the console opens (a service that could not start).
        public var warning: String?

        public init(identity: String, theme: String, themeDirectories: [String], monochrome: Bool, ascii: Bool,
                    traffic: Bool = true, trafficRate: Double = 4, logPath: String, serving: Bool = false, warning: String? = nil) {
            self.identity = identity
            self.theme = theme
            self.themeDirectories = themeDirectories
            self.monochrome = monochrome
            self.ascii = ascii
            self.traffic = traffic
            self.trafficRate = trafficRate
            self.logPath = logPath
            self.serving = serving
            self.warning = warning
        }
    }

    private let engine: GovernanceClient
    private let backend: any TerminalBackend
    private let runner: any CommandRunner
    private let options: Options
    private let inbox = Mutex<[ConsoleMessage]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let log: ConsoleLog

    // Loop-thread state.
    private var state: ConsoleState
    private var theme = Theme.fallback
    private var previous: ScreenBuffer?
    /// One snapshot fetch at a time; requests meanwhile collapse into one more, for the latest selection.
    private let refreshes = Mutex<(inFlight: Bool, again: UInt64??)>((false, nil))
    private var trafficTask: Task<Void, Never>?
    private var eventsTask: Task<Void, Never>?

    public init(engine: GovernanceClient, backend: any TerminalBackend, runner: any CommandRunner, options: Options) {
        self.engine = engine
        self.backend = backend
        self.runner = runner
        self.options = options
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        log = ConsoleLog(path: options.logPath)
        let themes = ThemeLoader.available(in: options.themeDirectories)
        state = ConsoleState(width: 80, height: 24, identity: options.identity, theme: options.theme,
                             themes: themes.isEmpty ? ["default"] : themes, monochrome: options.monochrome)
        state.trafficOn = options.traffic
        state.mode = options.serving ? ConsoleState.servingMode : engine.endpoint.description
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Posts a message to the loop from any thread and wakes it.
    func post(_ message: ConsoleMessage) {
        inbox.withLock { $0.append(message) }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Runs until the user quits or a signal arrives; the terminal is restored on every way out.
    public func run() async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try loop()
                    done.resume()
                } catch {
                    done.resume(throwing: error)
                }
            }
            thread.name = "govconsole-ui"
            thread.stackSize = 4 << 20
            thread.start()
        }
        trafficTask?.cancel()
        eventsTask?.cancel()
    }

    private func loop() throws {
        try backend.start()
        defer { backend.stop() }
        backend.attach(wakeWrite: wakeWrite)
        log.write("console started as \(options.identity)")
        perform(.loadTheme(options.theme))
        let size = backend.size
        apply(.resize(width: size.width, height: size.height))
        startEvents()
        perform(.refresh(selected: nil))
        if options.traffic { perform(.traffic(on: true)) }
        if let warning = options.warning { apply(.failed(warning)) }

        let clock = ContinuousClock()
        var nextTick = clock.now
        var lastFrame = clock.now - .seconds(1)
        var dirty = true
        let frame = Duration.milliseconds(33)
        while !state.quitting && !backend.interrupted {
            let now = clock.now
            let untilTick = nextTick - now
            let untilFrame = dirty ? max(.zero, lastFrame + frame - now) : untilTick
            backend.wait(milliseconds: Int(min(untilTick, untilFrame).components.seconds * 1000
                + min(untilTick, untilFrame).components.attoseconds / 1_000_000_000_000_000), wakeFD: wakeRead)
            drainWake()
            for message in backend.readInputs() { apply(message); dirty = true }
            for message in inbox.withLock({ m -> [ConsoleMessage] in defer { m = [] }; return m }) { apply(message); dirty = true }
            if clock.now >= nextTick {
                apply(.tick(now: UInt64(Date().timeIntervalSince1970 * 1000)))
                nextTick = clock.now + .seconds(1)
                dirty = true
                Task { [engine] in _ = try? await engine.closeDue() }
            }
            if dirty && clock.now >= lastFrame + frame {
                draw()
                lastFrame = clock.now
                dirty = false
            }
        }
        log.write(backend.interrupted ? "console stopped by a signal" : "console quit")
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func draw() {
        var buffer = ScreenBuffer(width: state.width, height: state.height)
        render(state, into: &buffer, ascii: options.ascii)
        backend.draw(buffer, previous: previous, theme: theme)
        previous = buffer
    }

    private func apply(_ message: ConsoleMessage) {
        if case let .resize(w, h) = message, w != state.width || h != state.height { previous = nil }
        for command in update(&state, message) { perform(command) }
    }

    // MARK: Commands

    private func perform(_ command: EngineCommand) {
        let identity = state.identity
        switch command {
        case .quit:
            state.quitting = true
        case let .vote(id, choice):
            request("vote \(choice) on #\(id)") { e in
                let r = try await e.vote(id, choice, as: identity)
                return "\(identity) voted \(choice) on #\(id): approve \(r.tally.approve), reject \(r.tally.reject), abstain \(r.tally.abstain) — \(r.status)"
            }
        case let .execute(id):
            request("execute #\(id)") { e in
                let r = try await e.execute(id, as: identity)
                return "#\(id) executed: \(r.operation) \(r.target) at height \(r.height)"
            }
        case let .cancel(id):
            request("cancel #\(id)") { e in
                _ = try await e.cancel(id, as: identity)
                return "#\(id) canceled"
            }
        case let .run(args):
            log.write("\(identity): \(args.joined(separator: " "))")
            Task { [engine, runner] in
                let (ok, text) = await runner.run(args, engine: engine, identity: identity)
                self.log.write(ok ? "ok: \(text)" : "refused: \(text)")
                // The status line holds one line; the whole output goes to the log.
                let lines = text.split(separator: "\n")
                let shown = lines.count <= 1 ? text : "\(lines[0]) (+\(lines.count - 1) lines in govconsole.log)"
                self.post(ok ? .done(shown) : .failed(shown))
            }
        case let .refresh(selected):
            let start = refreshes.withLock { r -> Bool in
                if r.inFlight { r.again = .some(selected); return false }
                r.inFlight = true
                return true
            }
            guard start else { return }
            Task { [engine] in
                var next: UInt64?? = .some(selected)
                while case let .some(selection) = next {
                    // A lost service is reported by the feed; the next refresh after it returns catches up.
                    if let snapshot = try? await ConsoleRuntime.snapshot(engine, identity: identity, selected: selection) {
                        self.post(.snapshot(snapshot))
                    }
                    next = self.refreshes.withLock { r -> UInt64?? in
                        defer { r.again = nil }
                        if r.again == nil { r.inFlight = false }
                        return r.again
                    }
                }
            }
        case let .loadTheme(name):
            let (loaded, warning) = loadTheme(name)
            theme = loaded
            backend.apply(theme: loaded)
            previous = nil
            if let warning { log.write(warning) }
            post(.theme(name: loaded.name, warning: warning))
        case let .traffic(on):
            trafficTask?.cancel()
            trafficTask = nil
            guard on else { return }
            let rate = options.trafficRate
            trafficTask = Task { [engine] in
                while !Task.isCancelled {
                    do {
                        _ = try await engine.traffic(rate: rate, duration: 600_000, seed: UInt64(Date().timeIntervalSince1970))
                    } catch {
                        self.post(.trafficStopped("\(error)"))
                        return
                    }
                }
            }
        }
    }

    /// Runs a request and reports its outcome, or the engine's error, in the status line.
    private func request(_ what: String, _ body: @escaping @Sendable (GovernanceClient) async throws -> String) {
        log.write("\(state.identity): \(what)")
        Task { [engine] in
            do {
                let text = try await body(engine)
                self.post(.done(text))
            } catch {
                self.log.write("refused: " + "\(error)".terminalSafe)   // one line: an error may quote member text
                self.post(.failed("\(error)"))
            }
        }
    }


    /// Follows the engine's feed from the current height. After a resynchronisation or a reconnection
    /// the state is read again, since events in between may never arrive.
    private func startEvents() {
        eventsTask = Task { [engine] in
            let from = ((try? await engine.status().height) ?? 0) + 1
            for await item in await engine.feed(from: from) {
                switch item {
                case let .block(_, events):
                    if !events.isEmpty { self.post(.events(events)) }
                case .resync:
                    self.post(.resynchronised)
                case let .connected(up):
                    self.post(.connection(up: up))
                }
            }
        }
    }

    private func loadTheme(_ name: String) -> (Theme, String?) {
        if options.monochrome { return (Theme.mono, nil) }
        guard let path = ThemeLoader.resolve(name, directories: options.themeDirectories) else {
            return (Theme.fallback, name == "default" ? nil : "no theme '\(name)' in \(options.themeDirectories.joined(separator: ", ")); using the default theme")
        }
        do {
            let t = try ThemeLoader.load(path: path)
            return (t, nil)
        } catch {
            return (Theme.fallback, error.description)
        }
    }

    /// Everything the console draws, read from the engine in one go.
    public static func snapshot(_ engine: GovernanceClient, identity: String, selected: UInt64?) async throws -> ConsoleSnapshot {
        let proposals = try await engine.proposals()
        let id = selected ?? proposals.last?.id
        var detail: ProposalDetail?
        if let id { detail = try? await engine.proposal(id) }
        return ConsoleSnapshot(
            status: try await engine.status(), proposals: proposals, detail: detail,
            routing: try await engine.routing(), nodes: try await engine.nodes(), members: try await engine.members(),
            myVotes: try await engine.votes(of: identity))
    }
}

/// Appends timestamped lines to the data directory's log; the screen is never written to. Opened for
/// appending, so lines from several writers — two consoles, or a console and its service — never overwrite.
public final class ConsoleLog: @unchecked Sendable {
    private let handle: FileHandle?
    private let lock = Mutex(())

    /// A log past this size is moved to `PATH.1` when a console starts, so an all-day dashboard's log
    /// stays bounded at about twice this.
    static let rotateBytes = 8 << 20

    public init(path: String) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > Self.rotateBytes {
            try? FileManager.default.removeItem(atPath: path + ".1")
            try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        handle = fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil
    }

    /// Control characters in `line` (a contract's result, an error quoting on-chain text) are written
    /// escaped, so `tail -f govconsole.log` is as safe as the screen; the output's own line breaks stay.
    public func write(_ line: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        let text = TerminalText.escaped(line, keepingNewlines: true)
        lock.withLock { _ in handle?.write(Data("\(stamp) \(text)\n".utf8)) }
    }
}
