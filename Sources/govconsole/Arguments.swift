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

    static func duration(_ flag: String) -> @Sendable (String) throws -> UInt64 {
        { text in
            do { return try ProposalText.duration(text, option: flag) } catch let error as ProposalTextError { throw ValidationError(error.reason) }
        }
    }
}

/// The policy options `init` and `set-policy` share.
struct PolicyOptions: ParsableArguments {
    @Option(help: "Share of total voting weight that must vote, like 0.5 or 50%.", transform: Parse.ratio("--quorum"))
    var quorum: Ratio?

    @Option(help: "Share of approve among approve+reject that must be exceeded to pass.", transform: Parse.ratio("--threshold"))
    var threshold: Ratio?

    @Option(name: .customLong("voting-period"), help: ArgumentHelp("How long voting stays open, like 90s, 10m, 24h.", valueName: "DURATION"), transform: Parse.duration("--voting-period"))
    var votingPeriod: UInt64?

    @Option(name: .customLong("permission-ttl"), help: ArgumentHelp("How long a granted permission stays usable, like 1h.", valueName: "DURATION"), transform: Parse.duration("--permission-ttl"))
    var permissionTTL: UInt64?

    @Option(name: .customLong("gate-margin"), help: "How much more often a new version may fail than the old before the health gate rolls it back, like 0.1.",
            transform: Parse.ratio("--gate-margin"))
    var gateMargin: Ratio?

    @Option(name: .customLong("gate-min-calls"), help: "Calls a new version must serve before the health gate judges it (1 to 500).")
    var gateMinCalls: UInt64?

    var change: PolicyChange {
        PolicyChange(quorum: quorum, threshold: threshold, votingPeriod: votingPeriod, permissionTTL: permissionTTL,
                     gateMargin: gateMargin, gateMinCalls: gateMinCalls)
    }
}
