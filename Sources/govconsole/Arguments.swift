import ArgumentParser
import ChainPrimitives
import Governance
import Rollout

/// Parsers for option values, each failing with a sentence that shows a valid value.
enum Parse {
    static func ratio(_ flag: String) -> @Sendable (String) throws -> Ratio {
        { text in
            guard let r = Ratio(parsing: text) else {
                throw ValidationError("not a fraction from 0 to 1; write it like 0.5 or 50%")
            }
            return r
        }
    }

    static func duration(_ flag: String) -> @Sendable (String) throws -> UInt64 {
        { text in
            guard let d = DurationText.parse(text) else {
                throw ValidationError("not a duration; write it like 90s, 10m, 24h or 7d")
            }
            guard (Limits.minDuration...Limits.maxDuration).contains(d) else {
                throw ValidationError("out of range; a duration must be from 1s to 366d")
            }
            return d
        }
    }

    static func publicKey(_ text: String) throws -> PublicKey {
        guard let key = PublicKey(hex: text) else {
            throw ValidationError("not 64 hex digits, an Ed25519 public key")
        }
        return key
    }

    static func stage(_ text: String) throws -> RolloutStage {
        guard let stage = RolloutStage(rawValue: text.lowercased()), stage != .none else {
            throw ValidationError("not a stage; use prerelease, gray or production")
        }
        return stage
    }

    static func check(percent: UInt8?, stage: RolloutStage) throws {
        guard let percent else { return }
        guard stage == .production else { throw ValidationError("--percent applies to the production stage only") }
        guard (1...100).contains(percent) else { throw ValidationError("--percent must be 1 to 100") }
    }

    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text.lowercased()), role != .node else {
            throw ValidationError("not a member role; use voter or admin")
        }
        return role
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
