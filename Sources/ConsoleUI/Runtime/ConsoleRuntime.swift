import Foundation
import GovernanceAPI
import Synchronization

/// The console: a loop on a thread of its own that owns the terminal (`ConsoleLoop`), an inbox other
/// threads post messages to (`Inbox`), and the runner of engine effects (`EffectRunner`).
public final class ConsoleRuntime: Sendable {
    /// Held by the loop thread for as long as the loop runs: the lock is the proof nothing else touches it.
    private let loop: Mutex<ConsoleLoop>
    private let effects: EffectRunner

    public init(engine: GovernanceClient, backend: sending any TerminalBackend, runner: any CommandRunner, options: Options) {
        let inbox = Inbox()
        let log = ConsoleLog(path: options.logPath)
        let effects = EffectRunner(engine: engine, inbox: inbox, log: log, runner: runner, trafficRate: options.trafficRate)
        self.effects = effects
        loop = Mutex(ConsoleLoop(backend: backend, inbox: inbox, effects: effects, log: log, options: options,
                                 mode: engine.endpoint.description))
    }

    /// Runs until the user quits or a signal arrives; the terminal is restored on every way out.
    public func run() async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try loop.withLock { try $0.run() }
                    done.resume()
                } catch {
                    done.resume(throwing: error)
                }
            }
            thread.name = "govconsole-ui"
            thread.stackSize = 4 << 20
            thread.start()
        }
        effects.stop()
    }

    /// Everything the console draws, read from the engine in one go.
    public static func snapshot(_ engine: GovernanceClient, identity: String, selected: UInt64?) async throws -> ConsoleSnapshot {
        try await EffectRunner.snapshot(engine, identity: identity, selected: selected)
    }
}
