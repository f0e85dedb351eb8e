import ArgumentParser
import ChainPrimitives
import EmbeddedChain
import Governance
import GovernanceAPI
import GovernanceEngine
import Rollout

/// Option values as ArgumentParser transforms, read by the same functions the console's proposals use.
enum Parse {
    static func ratio(_ flag: String) -> @Sendable (String) throws -> Ratio {
        { text in
            do { return try ProposalText.ratio(text, option: flag) } catch let error as ProposalTextError { throw ValidationError(error.reason) }
        }
    }
}

/// The policy options `init` and `propose set-policy` share, read by the parser proposals use everywhere
/// (`ProposalText`), so both accept and refuse exactly the same values.
struct PolicyOptions: ParsableArguments {
    @Option(help: "Share of total voting weight that must vote, like 0.5 or 50%.") var quorum: String?
    @Option(help: "Share of approve among approve+reject that must be exceeded to pass.") var threshold: String?
    @Option(name: .customLong("voting-period"), help: ArgumentHelp("How long voting stays open, like 90s, 10m, 24h.", valueName: "DURATION"))
    var votingPeriod: String?
    @Option(name: .customLong("permission-ttl"), help: ArgumentHelp("How long a granted permission stays usable, like 1h.", valueName: "DURATION"))
    var permissionTTL: String?
    @Option(name: .customLong("gate-margin"), help: "How much more often a new version may fail than the old before the health gate rolls it back, like 0.1.")
    var gateMargin: String?
    @Option(name: .customLong("gate-min-calls"), help: "Calls a new version must serve before the health gate judges it (1 to 500).")
    var gateMinCalls: String?

    /// The values given, by option name.
    var values: [String: String] {
        ["quorum": quorum, "threshold": threshold, "voting-period": votingPeriod, "permission-ttl": permissionTTL,
         "gate-margin": gateMargin, "gate-min-calls": gateMinCalls].compactMapValues { $0 }
    }

    var change: PolicyChange {
        get throws {
            do {
                guard case let .operation(.setPolicy(change)) = try ProposalText.parse(.setPolicy, values) else { return PolicyChange() }
                return change
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func validate() throws { _ = try change }
}
