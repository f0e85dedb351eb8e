import Foundation

/// The loop thread's own: the terminal, the state, the theme and the last frame. Nothing else touches
/// them; `ConsoleRuntime` keeps the loop behind a lock the loop thread holds while it runs.
final class ConsoleLoop {
    private let backend: any TerminalBackend
    private let inbox: Inbox
    private let effects: EffectRunner
    private let log: ConsoleLog
    private let options: ConsoleRuntime.Options
    private var state: ConsoleState
    private var theme = Theme.fallback
    private var previous: ScreenBuffer?

    init(backend: any TerminalBackend, inbox: Inbox, effects: EffectRunner, log: ConsoleLog, options: ConsoleRuntime.Options,
         mode: String) {
        self.backend = backend
        self.inbox = inbox
        self.effects = effects
        self.log = log
        self.options = options
        let themes = ThemeLoader.available(in: options.themeDirectories)
        state = ConsoleState(width: 80, height: 24, identity: options.identity, theme: options.theme,
                             themes: themes.isEmpty ? ["default"] : themes, monochrome: options.monochrome)
        state.trafficOn = options.traffic
        state.mode = options.serving ? ConsoleState.servingMode : mode
    }

    /// Waits for input or a wake-up, turns input, pushed events and ticks into messages, runs `update`,
    /// and draws at most 30 frames a second, only when something changed. Runs until the user quits or
    /// a signal arrives; the terminal is restored on every way out.
    func run() throws {
        try backend.start()
        defer { backend.stop() }
        backend.attach(wakeWrite: inbox.wakeWrite)
        log.write("console started as \(options.identity)")
        perform(.loadTheme(options.theme))
        let size = backend.size
        apply(.resize(width: size.width, height: size.height))
        effects.startEvents()
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
            let wait = min(untilTick, dirty ? max(.zero, lastFrame + frame - now) : untilTick)
            backend.wait(milliseconds: Int(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000),
                         wakeFD: inbox.wakeRead)
            for message in backend.readInputs() { apply(message); dirty = true }
            for message in inbox.take() { apply(message); dirty = true }
            if clock.now >= nextTick {
                apply(.tick(now: UInt64(Date().timeIntervalSince1970 * 1000)))
                nextTick = clock.now + .seconds(1)
                dirty = true
                effects.closeDue()
            }
            if dirty && clock.now >= lastFrame + frame {
                draw()
                lastFrame = clock.now
                dirty = false
            }
        }
        log.write(backend.interrupted ? "console stopped by a signal" : "console quit")
    }

    private func draw() {
        var buffer = ScreenBuffer(width: state.width, height: state.height)
        render(state, into: &buffer, ascii: options.ascii)
        backend.draw(buffer, previous: previous, theme: theme)
        previous = buffer
    }

    private func apply(_ message: ConsoleMessage) {
        if case let .resize(w, h) = message, w != state.width || h != state.height { previous = nil }
        for effect in updateFreeingOffLoop(&state, message) { perform(effect) }
    }

    /// The terminal's effects run here; the engine's go to the effect runner as the current identity.
    private func perform(_ effect: EngineCommand) {
        switch effect {
        case .quit:
            state.quitting = true
        case let .loadTheme(name):
            let (loaded, warning) = ThemeLoader.load(name, directories: options.themeDirectories, monochrome: options.monochrome)
            theme = loaded
            backend.apply(theme: loaded)
            previous = nil
            if let warning { log.write(warning) }
            inbox.post(.theme(name: loaded.name, warning: warning))
        default:
            effects.perform(effect, as: state.identity)
        }
    }
}
