import ArgumentParser
import ChainPrimitives
import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI

struct ProposalsCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "proposals", abstract: "List proposals.")

    @Option(help: "Only proposals with this status: voting, passed, rejected, expired, executed, canceled.",
            transform: { text in
                guard let s = ProposalStatus(rawValue: text.lowercased()) else {
                    throw ValidationError("not a status; use one of \(ProposalStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return s
            })
    var status: ProposalStatus?
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let list = try await global.withEngine(in: context, readOnly: true) { try await $0.proposals(status: status) }
        try global.emit(list, to: context) {
            list.isEmpty ? "no proposals" : Output.table(
                ["ID", "OPERATION", "TARGET", "STATUS", "PROPOSER", "DEADLINE"],
                list.map { ["\($0.id)", $0.operation, $0.target, $0.status, $0.proposer,
                            $0.status == "voting" ? Output.relative($0.deadline) : Output.time($0.deadline)] })
        }
    }
}

struct ShowCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one proposal: tally, votes, permission, events.")

    @Argument(help: "Proposal id.") var id: UInt64
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let p = try await global.withEngine(in: context, readOnly: true) { try await $0.proposal(id) }
        try global.emit(p, to: context) {
            var lines = [
                "proposal \(p.id): \(p.summary.terminalSafe)",
                "status      \(p.status)",
                "proposer    \(p.proposer)",
                "deadline    \(Output.time(p.deadline)) (\(Output.relative(p.deadline)))",
                "tally       \(Output.tally(p.tally))",
                "rules       quorum \(p.quorum) \(p.quorumReached ? "(reached)" : "(not reached)"), threshold \(p.threshold)",
                "permission  \(p.permission.state)" + (p.permission.expires.map { ", expires \(Output.time($0))" } ?? ""),
                "",
            ]
            lines.append(Output.table(["VOTER", "CHOICE", "WEIGHT"],
                                      p.votes.map { [$0.voter, $0.choice, "\($0.weight)"] } + p.pending.map { [$0, "(pending)", ""] }))
            lines.append("")
            lines.append(EventsCommand.table(p.events))
            return lines.joined(separator: "\n")
        }
    }
}

struct EventsCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "List recorded events, oldest first, or follow them as they happen.",
        discussion: "Without --follow it lists the events up to the head as it was when it started, a page at a time as it reads them, so a long ledger lists in bounded memory; --json prints one JSON array. With --follow it prints each event as its block is committed, until interrupted; with --json one JSON object per line. It rides out a restart of the service it is attached to.")
    @Option(help: "Only events of this proposal (its last 500).") var proposal: UInt64?
    @Flag(help: "Keep printing new events as they happen, until interrupted.") var follow = false
    @Option(help: ArgumentHelp("Start at this block height. With --follow, instead of the next block: nothing committed since is missed.", valueName: "HEIGHT"))
    var from: UInt64?
    @Option(help: ArgumentHelp("List at most this many events (not with --follow).", valueName: "N"))
    var limit: Int?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be a positive number of events, not \(limit)") }
        if limit != nil && follow { throw ValidationError("--limit goes without --follow; a follower prints until interrupted") }
    }

    static func details(_ e: EventView) -> String {
        e.fields.map { f in
            switch f.value {
            case let .int(v): "\(f.name)=\(v)"
            case let .text(v): "\(f.name)=\(v.terminalSafe)"   // member-written: one line, escaped
            case let .time(v): "\(f.name)=\(Output.time(Date(milliseconds: v)))"
            }
        }.joined(separator: " ")
    }

    static func table(_ events: [EventView]) -> String {
        events.isEmpty ? "no events" : Output.table(
            ["HEIGHT", "TIME", "EVENT", "DETAILS"],
            events.map { e in ["\(e.height)", Output.time(e.time), e.type, details(e)] })
    }

    func run(in context: CommandContext) async throws {
        if follow { return try await followEvents() }   // from a shell only: the console's runner refuses it
        guard let proposal else {
            var listing = EventListing(json: global.json, context: context)
            return try await global.withEngine(in: context, readOnly: true) { try await listing.run($0, from: from ?? 0, limit: limit ?? .max) }
        }
        // A proposal's events are the engine's last 500 of it: few enough to list at once.
        let events = try await global.withEngine(in: context, readOnly: true) { try await $0.events(proposal: proposal) }
            .filter { $0.height >= from ?? 0 }.prefix(limit ?? .max)
        try global.emit(Array(events), to: context) { EventsCommand.table(Array(events)) }
    }

    /// Prints from the next block on, or from `--from`. A lost service is waited for, not given up on: a
    /// follower is left running.
    private func followEvents() async throws {
        let client = try await Connect.client(global, patience: nil)
        let start: UInt64
        if let from { start = from } else { start = try await client.status().height + 1 }
        for await item in await client.feed(from: start) {
            switch item {
            case let .block(_, events):
                for e in events where proposal == nil || e.proposal == proposal {
                    // Written straight away, not buffered: whoever reads the pipe wants each event as it happens.
                    Output.line(global.json ? try Output.json(e, line: true)
                                : "\(e.height)  \(Output.time(e.time))  \(e.type)  \(EventsCommand.details(e))")
                }
            case let .resync(from):
                warn("fell behind: events from height \(from) on were skipped; 'govconsole events' lists them")
            case let .connected(up):
                warn(up ? "reconnected to \(client.endpoint); following again" : "lost \(client.endpoint); reconnecting…")
            }
        }
        await client.close()
    }
}

/// `status --json`: the status and where the engine answering it runs.
struct StatusReport: Encodable {
    let status: StatusView
    let engine: String

    func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        enum Key: String, CodingKey { case engine }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(engine, forKey: .engine)
    }
}

struct StatusCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the chain's height, head and policy.")

    @OptionGroup var global: GlobalOptions

    static func text(_ s: StatusView) -> String {
        let counts = ProposalStatus.allCases.compactMap { st in s.proposals[st.rawValue].map { "\($0) \(st.rawValue)" } }
        return """
            data          \(s.data)
            height        \(s.height)
            head          \(s.head)
            last block    \(Output.time(s.time))
            transactions  \(s.transactions)
            members       \(s.members)
            nodes         \(s.nodes)
            proposals     \(counts.isEmpty ? "none" : counts.joined(separator: ", "))
            policy        quorum \(s.policy.quorum), threshold \(s.policy.threshold), voting period \(s.policy.votingPeriod), permission lifetime \(s.policy.permissionTTL)
            contracts     \(s.contracts.isEmpty ? "none" : s.contracts.joined(separator: ", "))
            node logic    \(s.nodeRouting)
            """
    }

    /// The cluster lines: each engine, each etcd member, and anything wrong, loudly.
    static func text(_ c: ClusterView) -> String {
        var lines = ["order         position \(c.position), checkpoints \(c.checkpointsAgree ? "agree" : "DISAGREE: the engines' ledgers have forked")"]
        // The seat is read out of etcd too.
        lines.append("sealer        " + (c.sealer.map { "\(TerminalText.escaped($0)) seals the blocks; the other engines forward to it" } ?? "none holds the seat; each engine seals its own"))
        if let f = c.forwardingProblem { lines.append("forwarding    \(TerminalText.escaped(f))") }
        for e in c.engines {
            // Everything in an engine's row came out of etcd, where anyone with access can write.
            lines.append("engine        \(TerminalText.escaped(e.node))  height \(e.height)  head \(TerminalText.escaped(String(e.head.prefix(12))))  seen \(Output.time(e.lastSeen))" + (e.problem.map { "  PROBLEM: \(TerminalText.escaped($0))" } ?? ""))
        }
        for m in c.etcd {
            lines.append("etcd          \(m.endpoint)  " + (m.reachable ? (m.isLeader ? "leader" : "follower") : "unreachable: \(TerminalText.escaped(m.error ?? "?"))"))
        }
        if c.refusedEntries > 0 { lines.append("refused       \(c.refusedEntries) entries of the order; last: \(TerminalText.escaped(c.lastRefused ?? ""))") }
        if let p = c.problem { lines.append("PROBLEM       \(TerminalText.escaped(p))") }
        return lines.joined(separator: "\n")
    }

    func run(in context: CommandContext) async throws {
        let (s, endpoint) = try await global.withEngine(in: context, readOnly: true) { (try await $0.status(), $0.endpoint.description) }
        let engine = s.cluster.map { "\(endpoint) · cluster \($0.node) · \($0.engines.count) engines" } ?? endpoint
        try global.emit(StatusReport(status: s, engine: engine), to: context) {
            "engine        \(engine)\n" + StatusCommand.text(s) + (s.cluster.map { "\n" + StatusCommand.text($0) } ?? "")
        }
    }
}

struct MembersCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "List admins and voters.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let members = try await global.withEngine(in: context, readOnly: true) { try await $0.members() }
        try global.emit(members, to: context) {
            Output.table(["NAME", "ROLE", "WEIGHT", "KEY"], members.map { [$0.name, $0.role, "\($0.weight)", String($0.key.prefix(16)) + "…"] })
        }
    }
}

struct NodesCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List nodes and the logic version each runs.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let nodes = try await global.withEngine(in: context, readOnly: true) { try await $0.nodes() }
        try global.emit(nodes, to: context) {
            Output.table(["NODE", "LOGIC", "STATE", "BLOCKS", "TRANSACTIONS"],
                         nodes.map { [$0.name, $0.logic, $0.online ? "up" : "down", "\($0.blocks)", "\($0.transactions)"] })
        }
    }
}

struct BlocksCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(commandName: "blocks", abstract: "List blocks from a height on.")

    @Option(help: "First height to list.") var from: UInt64 = 0
    @Option(help: "Most blocks to list.") var limit: Int = 1000
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be a positive number of blocks") }
    }

    func run(in context: CommandContext) async throws {
        let blocks = try await global.withEngine(in: context, readOnly: true) { try await $0.blocks(from: from, limit: limit) }
        try global.emit(blocks, to: context) {
            blocks.isEmpty ? "no blocks from height \(from)" : Output.table(
                ["HEIGHT", "HASH", "TIME", "PROPOSER", "TXS", "EVENTS", "CONTENT"],
                blocks.map { b in
                    ["\(b.height)", String(b.hash.prefix(12)), Output.time(b.time), b.proposer, "\(b.transactions.count)", "\(b.events)",
                     b.height == 0 ? "genesis" : b.transactions.map { "\($0.sender): \($0.payload)" }.joined(separator: "; ")]
                })
        }
    }
}

struct VerifyCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Audit the whole ledger: hash chain, signatures, nonces, re-execution from genesis, state roots, governance invariants.",
        discussion: "Read-only: it takes no lock, repairs nothing and writes nothing, so it runs beside a service writing the ledger; it audits up to the last whole block on disk when it starts and says which height that is. Exits non-zero when it finds a problem. The state root it prints is the hash of the whole state at the head; two copies of a ledger agree exactly when their roots do.")

    @OptionGroup var global: GlobalOptions

    struct Report: Encodable {
        let ok: Bool
        let height: UInt64
        let stateRoot: String?
        let checked: [String: UInt64]
        let problems: [String]
        let unfinished: String?
    }

    func run(in context: CommandContext) async throws {
        let audit = try LedgerAudit.run(directory: global.directory(in: context).ledger)
        let report = Report(ok: audit.ok, height: audit.height, stateRoot: audit.stateRoot?.hex, checked: audit.checked,
                            problems: audit.problems, unfinished: audit.unfinished)
        try global.emit(report, to: context) {
            let checks = report.checked.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return (report.ok ? "ledger OK up to height \(report.height)" : "ledger has \(report.problems.count) problem(s); verified up to height \(report.height)")
                + (report.stateRoot.map { "\nstate root: \($0)" } ?? "")
                + "\nchecked: " + checks
                + (report.unfinished.map { "\nnot audited: \($0) after height \(report.height), being written now or left by a crash (the writer cuts it back when it opens)" } ?? "")
                + report.problems.map { "\nproblem: " + $0.terminalSafe }.joined()   // a problem may quote ledger bytes: one line each
        }
        if !report.ok {
            throw VerifyFailed(count: report.problems.count)
        }
    }

    struct VerifyFailed: Error, CustomStringConvertible {
        let count: Int
        var description: String { "the audit found \(count) problem(s), listed above" }
    }
}
