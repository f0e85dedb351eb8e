import ArgumentParser
import ChainPrimitives
import ConsoleUI
import EmbeddedChain
import Foundation
import GovernanceAPI

extension Lane: ExpressibleByArgument {}

struct CallCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a contract function; the lane decides which version serves it.",
        discussion: "A call that would fail is refused with the contract's message and nothing is written.")

    @Argument(help: "Contract name, like asset-ledger.") var contract: String
    @Argument(help: "Function, like issue, transfer, balance.") var function: String
    @Argument(help: "Arguments, as text; numbers are read by the contract.") var args: [String] = []
    @Option(help: "Traffic lane: prerelease, gray or production.") var lane: Lane = .production
    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let r = try await global.acting(in: context) { try await $0.call(contract, function, args: args, lane: lane, as: $1) }
        try global.emit(r, to: context) {
            "\(r.contract).\(r.function) on \(lane.rawValue): \(r.version) via \(r.node) (logic \(r.logic)), fuel \(r.fuel)"
                + (r.result.map { ", result \($0.terminalSafe)" } ?? "")   // the contract's text: one line, escaped
        }
    }
}

struct TrafficCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic",
        abstract: "Send signed contract calls from the members for a while and summarise them per lane and version.",
        discussion: "It sends for --duration (10s unless told), or exactly --calls calls however long they take.")

    @Option(help: "Calls per second.") var rate: Double = 20
    @Option(help: ArgumentHelp("How long to send, like 10s or 1m.", valueName: "DURATION"), transform: { text in
        guard let d = DurationText.parse(text), d >= 100, d <= 3_600_000 else {
            throw ValidationError("not a duration from 100ms to 1h; write it like 10s or 1m")
        }
        return d
    })
    var duration: UInt64?
    @Option(help: "Send exactly this many calls, however long they take, instead of sending for a --duration.")
    var calls: UInt64?
    @Option(help: ArgumentHelp("Share of calls per lane.", valueName: "LANE:WEIGHT,…"), transform: { text in
        guard let mix = TrafficMix(parsing: text) else {
            throw ValidationError("not a lane mix; write it like prerelease:5,gray:15,production:80")
        }
        return mix
    })
    var mix: TrafficMix = .standard
    @Option(help: "Contract to call.") var contract: String = "asset-ledger"
    @Option(help: "Seed for the choice of lanes, functions and amounts.") var seed: UInt64 = 1
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard rate > 0, rate <= 10_000 else { throw ValidationError("--rate must be above 0 and at most 10000") }
        if calls != nil && duration != nil { throw ValidationError("--calls and --duration are alternatives; give one of them") }
        if let calls, calls == 0 || calls > 1_000_000 { throw ValidationError("--calls must be from 1 to 1000000") }
    }

    /// From a shell only: it sends for as long as it is told, which the console's `:` line cannot wait for.
    func run() async throws {
        let s = try await global.withEngine(in: .standalone) { try await $0.traffic(rate: rate, duration: duration ?? 10_000, calls: calls, mix: mix, contract: contract, seed: seed) }
        try global.emit(s, to: .standalone) {
            var rows: [[String]] = []
            for lane in s.lanes where lane.calls > 0 {
                for v in lane.versions {
                    rows.append([lane.lane, v.version, "\(v.calls)", "\(v.ok)", "\(v.failed)", "\(v.meanFuel)"])
                }
            }
            var text = String(format: "%llu calls in %.1fs (%.1f/s): %llu ok, %llu failed, %llu refused\n\n",
                              s.committed, s.seconds, s.perSecond, s.ok, s.failed, s.refused)
            text += Output.table(["LANE", "VERSION", "CALLS", "OK", "FAILED", "MEAN FUEL"], rows)
            text += "\n\n" + Output.table(["LOGIC", "CALLS", "NODE FAULTS"], s.logic.map { [$0.logic, "\($0.calls)", "\($0.failed)"] })
            if !s.rollbacks.isEmpty { text += "\n\nautomatic rollbacks:\n" + s.rollbacks.map { "  " + $0 }.joined(separator: "\n") }
            return text
        }
    }
}

struct RoutingCommand: EngineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "routing",
        abstract: "Show each contract's and the node fleet's routing: stage, share per lane, per-version record.")

    @OptionGroup var global: GlobalOptions

    /// A target's lines, from the same `RoutingGauge` the console's Routing pane draws.
    static func block(_ g: RoutingGauge, cost: (RoutingGauge.Version) -> String) -> [String] {
        var lines = ["\(g.title)   \(g.old)" + (g.new.map { " → \($0)" } ?? "") + "   " + g.track()]
        for share in g.lanes {
            lines.append("  " + share.lane.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                         + "[" + RoutingGauge.bar(newPercent: share.newPercent, width: 24) + "]"
                         + " \(g.old) \(share.oldPercent)%" + (g.new.map { " | \($0) \(share.newPercent)%" } ?? ""))
        }
        for v in g.versions {
            lines.append("  \(v.name)  calls \(v.stats.calls)  failures \(v.stats.failures) (\(v.failureRate))  \(cost(v))")
        }
        return lines
    }

    func run(in context: CommandContext) async throws {
        let r = try await global.withEngine(in: context, readOnly: true) { try await $0.routing() }
        try global.emit(r, to: context) {
            var lines: [String] = []
            for g in RoutingGauge.all(r) {
                if g.isNodes {
                    lines += RoutingCommand.block(g) { v in g.cost(v).map { "mean \($0)" } ?? "time measured only while the console runs" }
                    lines.append("  fleet  " + r.nodes.fleet.map { "\($0.name) \($0.logic)" + ($0.faultRate > 0 ? " (faults \($0.faultRate))" : "") + ($0.online ? "" : " (down)") }
                        .joined(separator: ", "))
                } else {
                    lines += RoutingCommand.block(g) { v in "mean " + (g.cost(v) ?? "") }
                }
                lines.append("")
            }
            lines.append("health gate: roll back when the new version fails more than \(r.gate.margin) above the old over at least \(r.gate.minCalls) of its last \(r.gate.window) calls")
            return lines.joined(separator: "\n")
        }
    }
}

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Platform operator actions on nodes.",
        subcommands: [SetLogic.self])

    struct SetLogic: EngineSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "set-logic",
            abstract: "Replace a node's transaction-processing logic (recorded on chain, signed by the node).")

        @Argument(help: "Node, like node-5.") var node: String
        @Argument(help: "Logic version: v1 or v2.") var version: String
        @Option(name: .customLong("fault-rate"), help: "Share of contract calls this node fails on purpose, like 0.3 (to show a health gate).",
                transform: Parse.ratio("--fault-rate"))
        var faultRate: Ratio = Ratio(ppm: 0)!
        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let n = try await global.withEngine(in: context) { try await $0.setNodeLogic(node, version, faultRate: faultRate) }
            try global.emit(n, to: context) { "\(n.name) now runs logic \(n.logic)" + (faultRate.ppm > 0 ? " with fault rate \(faultRate)" : "") }
        }
    }
}
