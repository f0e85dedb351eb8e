import ChainPrimitives
import Foundation
import Governance
import Rollout

/// A proposal as a person states it: the operation, with anything still to be fetched named rather than
/// done, so that reading it stays pure (the console parses in `update`) and the client fetches the rest.
public enum ProposalDraft: Hashable, Sendable {
    case operation(ManagementOperation)
    /// add-member without --key: the keystore's key for the name, or a new one stored once accepted.
    case addMember(name: String, role: Role, weight: UInt64)
    /// deploy-contract from a file, read and compiled when the proposal is sent.
    case deployContract(name: String, version: String, file: String)
}

/// What was wrong with a proposal as typed: one line saying what to write instead.
public enum ProposalTextError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownOperation(String)
    case missing(operation: OperationKind, field: String)
    case unknownOption(operation: OperationKind, option: String)
    case unexpected(operation: OperationKind, word: String)
    case noValue(option: String)
    case invalid(option: String, reason: String)
    case unreadableFile(String)
    /// A client built without a contract compiler (one that links no Wasm toolchain) cannot deploy.
    case noCompiler

    public var description: String {
        switch self {
        case let .unknownOperation(word):
            "unknown operation '\(word)'; propose one of: \(OperationKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .missing(op, field):
            "\(op.rawValue) needs \(field.hasPrefix("--") ? field : "<\(field)>"); see 'govconsole propose \(op.rawValue) --help'"
        case let .unknownOption(op, option):
            "\(op.rawValue) has no option '\(option)'; it takes " + ProposalText.options(of: op).map { "--" + $0 }.joined(separator: ", ")
        case let .unexpected(op, word):
            "unexpected argument '\(word)' for \(op.rawValue); quote a value that has spaces"
        case let .noValue(option):
            "--\(option) needs a value, like --\(option) VALUE"
        case let .invalid(option, reason):
            "--\(option): \(reason)"
        case let .unreadableFile(path):
            "cannot read --file \(path); give the path of a .wat or .wasm file"
        case .noCompiler:
            "this terminal cannot compile contracts; propose the deployment with 'govconsole propose deploy-contract'"
        }
    }

    /// The reason alone, for a parser that names the option itself.
    public var reason: String {
        if case let .invalid(_, reason) = self { return reason }
        return description
    }
}

/// The one reading of a proposal from text, shared by `govconsole propose …`, the console's `:propose …`
/// and its propose form. Values are keyed by option name; the positional one is `name`.
public enum ProposalText {
    /// The positional argument of an operation, if it takes one, as its usage names it.
    public static func positional(of op: OperationKind) -> String? {
        switch op {
        case .addMember, .removeMember: "name"
        case .deployContract, .upgradeContract, .rollbackContract: "contract"
        case .setPolicy, .upgradeNodes, .rollbackNodes: nil
        }
    }

    /// The options an operation takes, in the order its usage lists them.
    public static func options(of op: OperationKind) -> [String] {
        switch op {
        case .addMember: ["role", "weight", "key"]
        case .removeMember, .rollbackContract, .rollbackNodes: []
        case .setPolicy: ["quorum", "threshold", "voting-period", "permission-ttl", "gate-margin", "gate-min-calls"]
        case .deployContract: ["version", "file"]
        case .upgradeContract, .upgradeNodes: ["to", "stage", "percent"]
        }
    }

    /// Words as typed after `propose`: the operation, its positional argument, `--option value` or
    /// `--option=value`.
    public static func parse(_ words: [String]) throws(ProposalTextError) -> ProposalDraft {
        guard let first = words.first else { throw .unknownOperation("") }
        guard let op = OperationKind(rawValue: first) else { throw .unknownOperation(first) }
        var values: [String: String] = [:]
        var rest = words.dropFirst()[...]
        while let word = rest.popFirst() {
            if word.hasPrefix("--") {
                let parts = word.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let option = String(parts[0])
                guard options(of: op).contains(option) else { throw .unknownOption(operation: op, option: "--" + option) }
                guard let value = parts.count == 2 ? String(parts[1]) : rest.popFirst() else { throw .noValue(option: option) }
                values[option] = value
            } else if positional(of: op) != nil, values["name"] == nil {
                values["name"] = word
            } else {
                throw .unexpected(operation: op, word: word)
            }
        }
        return try parse(op, values)
    }

    /// Values by option name (`name` for the positional); blank ones count as not given.
    public static func parse(_ op: OperationKind, _ given: [String: String]) throws(ProposalTextError) -> ProposalDraft {
        let values = given.mapValues { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.value.isEmpty }
        func required(_ key: String) throws(ProposalTextError) -> String {
            guard let v = values[key] else { throw .missing(operation: op, field: key == "name" ? positional(of: op)! : "--" + key) }
            return v
        }
        switch op {
        case .addMember:
            let name = try required("name")
            let role = try values["role"].map(Self.role) ?? .voter
            let weight = try values["weight"].map { v throws(ProposalTextError) in try number(v, option: "weight") } ?? (role == .voter ? 1 : 0)
            guard let keyText = values["key"] else { return .addMember(name: name, role: role, weight: weight) }
            return .operation(.addMember(name: name, role: role, weight: weight, publicKey: try publicKey(keyText)))
        case .removeMember:
            return .operation(.removeMember(name: try required("name")))
        case .setPolicy:
            return .operation(.setPolicy(PolicyChange(
                quorum: try values["quorum"].map { v throws(ProposalTextError) in try ratio(v, option: "quorum") },
                threshold: try values["threshold"].map { v throws(ProposalTextError) in try ratio(v, option: "threshold") },
                votingPeriod: try values["voting-period"].map { v throws(ProposalTextError) in try duration(v, option: "voting-period") },
                permissionTTL: try values["permission-ttl"].map { v throws(ProposalTextError) in try duration(v, option: "permission-ttl") },
                gateMargin: try values["gate-margin"].map { v throws(ProposalTextError) in try ratio(v, option: "gate-margin") },
                gateMinCalls: try values["gate-min-calls"].map { v throws(ProposalTextError) in try number(v, option: "gate-min-calls") })))
        case .deployContract:
            return .deployContract(name: try required("name"), version: try required("version"), file: try required("file"))
        case .upgradeContract, .upgradeNodes:
            let to = try required("to")
            let stage = try Self.stage(try required("stage"))
            let percent = try values["percent"].map { v throws(ProposalTextError) in try Self.percent(v, stage: stage) } ?? 100
            return .operation(op == .upgradeNodes ? .upgradeNodes(to: to, stage: stage, percent: percent)
                              : .upgradeContract(name: try required("name"), to: to, stage: stage, percent: percent))
        case .rollbackContract:
            return .operation(.rollbackContract(name: try required("name")))
        case .rollbackNodes:
            return .operation(.rollbackNodes)
        }
    }

    // MARK: Values, each failing with a sentence that shows a valid one

    public static func ratio(_ text: String, option: String) throws(ProposalTextError) -> Ratio {
        guard let r = Ratio(parsing: text) else { throw .invalid(option: option, reason: "not a fraction from 0 to 1; write it like 0.5 or 50%") }
        return r
    }

    public static func duration(_ text: String, option: String) throws(ProposalTextError) -> UInt64 {
        guard let d = DurationText.parse(text) else { throw .invalid(option: option, reason: "not a duration; write it like 90s, 10m, 24h or 7d") }
        guard (Limits.minDuration...Limits.maxDuration).contains(d) else {
            throw .invalid(option: option, reason: "out of range; a duration must be from 1s to 366d")
        }
        return d
    }

    public static func number(_ text: String, option: String) throws(ProposalTextError) -> UInt64 {
        guard let n = UInt64(text) else { throw .invalid(option: option, reason: "not a whole number; write it like 1") }
        return n
    }

    public static func publicKey(_ text: String) throws(ProposalTextError) -> PublicKey {
        guard let key = PublicKey(hex: text) else { throw .invalid(option: "key", reason: "not 64 hex digits, an Ed25519 public key") }
        return key
    }

    public static func stage(_ text: String) throws(ProposalTextError) -> RolloutStage {
        guard let stage = RolloutStage(rawValue: text.lowercased()), stage != .none else {
            throw .invalid(option: "stage", reason: "not a stage; use prerelease, gray or production")
        }
        return stage
    }

    public static func percent(_ text: String, stage: RolloutStage) throws(ProposalTextError) -> UInt8 {
        guard stage == .production else { throw .invalid(option: "percent", reason: "applies to the production stage only") }
        guard let p = UInt8(text), (1...100).contains(p) else { throw .invalid(option: "percent", reason: "must be 1 to 100") }
        return p
    }

    public static func role(_ text: String) throws(ProposalTextError) -> Role {
        guard let role = Role(rawValue: text.lowercased()), role != .node else {
            throw .invalid(option: "role", reason: "not a member role; use voter or admin")
        }
        return role
    }
}
