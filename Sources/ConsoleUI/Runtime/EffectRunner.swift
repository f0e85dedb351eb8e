import Foundation
import Governance
import GovernanceAPI
import Synchronization

/// Runs a CLI command line against the console's engine: the `:` commands with no typed effect (queries,
/// `call`, `node set-logic`) accept exactly what the CLI accepts. The executable provides it.
public protocol CommandRunner: Sendable {
    func run(_ args: [String], engine: GovernanceClient, identity: String) async -> (ok: Bool, text: String)
}

/// Carries out the engine effects `update` asks for, each in a task of its own, and posts the outcome
/// back to the loop as a message. It holds no console state: what it needs comes with the effect.
final class EffectRunner: Sendable {
    private let engine: GovernanceClient
    private let inbox: Inbox
    private let log: ConsoleLog
    private let runner: any CommandRunner
    private let trafficRate: Double
    /// One snapshot fetch at a time; requests meanwhile collapse into one more, for the latest selection.
    private let refreshes = Mutex<(inFlight: Bool, again: UInt64??)>((false, nil))
    /// One cluster status read at a time: with etcd down each read waits on every endpoint's timeout.
    private let statusInFlight = Mutex(false)
    private let trafficTask = Mutex<Task<Void, Never>?>(nil)
    private let eventsTask = Mutex<Task<Void, Never>?>(nil)

    init(engine: GovernanceClient, inbox: Inbox, log: ConsoleLog, runner: any CommandRunner, trafficRate: Double) {
        self.engine = engine
        self.inbox = inbox
        self.log = log
        self.runner = runner
        self.trafficRate = trafficRate
    }

    func perform(_ effect: EngineCommand, as identity: String) {
        switch effect {
        case let .propose(draft):
            request(identity, "propose \(draft)") { e in
                let p = try await e.propose(draft, as: identity)
                return "proposal \(p.id) submitted by \(p.proposer): \(p.summary)"
            }
        case let .vote(id, choice):
            request(identity, "vote \(choice.rawValue) on #\(id)") { e in
                let r = try await e.vote(id, choice.rawValue, as: identity)
                return "\(identity) voted \(choice.rawValue) on #\(id): approve \(r.tally.approve), reject \(r.tally.reject), abstain \(r.tally.abstain) — \(r.status)"
            }
        case let .execute(id):
            request(identity, "execute #\(id)") { e in
                let r = try await e.execute(id, as: identity)
                return "#\(id) executed: \(r.operation) \(r.target) at height \(r.height)"
            }
        case let .cancel(id):
            request(identity, "cancel #\(id)") { e in
                _ = try await e.cancel(id, as: identity)
                return "#\(id) canceled"
            }
        case let .run(args):
            log.write("\(identity): \(args.joined(separator: " "))")
            Task { [engine, runner, log, inbox] in
                let (ok, text) = await runner.run(args, engine: engine, identity: identity)
                log.write(ok ? "ok: \(text)" : "refused: \(text)")
                // The status line holds one line; the whole output goes to the log.
                let lines = text.split(separator: "\n")
                let shown = lines.count <= 1 ? text : "\(lines[0]) (+\(lines.count - 1) lines in govconsole.log)"
                inbox.post(ok ? .done(shown) : .failed(shown))
            }
        case let .refresh(selected):
            refresh(selected, as: identity)
        case .refreshStatus:
            refreshStatus()
        case let .traffic(on):
            traffic(on)
        case .loadTheme, .quit:
            break   // the loop's own: they touch the terminal, not the engine
        }
    }

    /// Runs a request and reports its outcome, or the engine's error, in the status line.
    private func request(_ identity: String, _ what: String, _ body: @escaping @Sendable (GovernanceClient) async throws -> String) {
        log.write("\(identity): \(what)")
        Task { [engine, log, inbox] in
            do {
                let text = try await body(engine)
                log.write("ok: \(text)")
                inbox.post(.done(text))
            } catch {
                log.write("refused: " + "\(error)".terminalSafe)   // one line: an error may quote member text
                inbox.post(.failed("\(error)"))
            }
        }
    }

    private func refresh(_ selected: UInt64?, as identity: String) {
        let start = refreshes.withLock { r -> Bool in
            if r.inFlight { r.again = .some(selected); return false }
            r.inFlight = true
            return true
        }
        guard start else { return }
        Task { [engine, inbox] in
            var next: UInt64?? = .some(selected)
            while case let .some(selection) = next {
                // A lost service is reported by the feed; the next refresh after it returns catches up.
                if let snapshot = try? await EffectRunner.snapshot(engine, identity: identity, selected: selection) {
                    inbox.post(.snapshot(snapshot))
                }
                next = self.refreshes.withLock { r -> UInt64?? in
                    defer { r.again = nil }
                    if r.again == nil { r.inFlight = false }
                    return r.again
                }
            }
        }
    }

    private func refreshStatus() {
        guard statusInFlight.withLock({ busy in defer { busy = true }; return !busy }) else { return }
        Task { [engine, inbox] in
            // A lost service is reported by the feed; the next tick asks again.
            if let status = try? await engine.status() { inbox.post(.status(status)) }
            self.statusInFlight.withLock { $0 = false }
        }
    }

    private func traffic(_ on: Bool) {
        let rate = trafficRate
        let task: Task<Void, Never>? = on ? Task { [engine, inbox] in
            while !Task.isCancelled {
                do {
                    _ = try await engine.traffic(rate: rate, duration: 600_000, seed: UInt64(Date().timeIntervalSince1970))
                } catch {
                    inbox.post(.trafficStopped("\(error)"))
                    return
                }
            }
        } : nil
        trafficTask.withLock { old in
            old?.cancel()
            old = task
        }
    }

    /// Follows the engine's feed from the current height. After a resynchronisation or a reconnection
    /// the state is read again, since events in between may never arrive.
    func startEvents() {
        let task = Task { [engine, inbox] in
            let from = ((try? await engine.status().height) ?? 0) + 1
            for await item in await engine.feed(from: from) {
                switch item {
                case let .block(_, events):
                    if !events.isEmpty { inbox.post(.events(events)) }
                case .resync:
                    inbox.post(.resynchronised)
                case let .connected(up):
                    inbox.post(.connection(up: up))
                }
            }
        }
        eventsTask.withLock { $0 = task }
    }

    /// Records due deadlines, once a second while the console runs.
    func closeDue() {
        Task { [engine] in _ = try? await engine.closeDue() }
    }

    func stop() {
        trafficTask.withLock { $0?.cancel(); $0 = nil }
        eventsTask.withLock { $0?.cancel(); $0 = nil }
    }

    /// Everything the console draws, read from the engine in one go.
    static func snapshot(_ engine: GovernanceClient, identity: String, selected: UInt64?) async throws -> ConsoleSnapshot {
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
