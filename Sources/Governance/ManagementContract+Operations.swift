import ChainPrimitives
import Rollout

// What a passed proposal may do, and doing it.
extension ManagementContract {
    /// Whether the operation could be applied to the state as it is: checked when proposed and again when executed.
    public static func check(_ op: ManagementOperation, against s: ManagementState, fleet: [NodeRecord],
                             codeCheck: CodeCheck) throws(GovernanceError) {
        switch op {
        case let .addMember(name, role, weight, key):
            if let reason = Names.validate(name) { throw .invalidName(reason) }
            guard s.members[name] == nil else { throw .memberExists(name) }
            guard role != .node else { throw .invalidName("a member's role must be voter or admin") }
            if role == .voter, weight < 1 || weight > Limits.maxWeight { throw .invalidWeight(weight) }
            if role == .admin, weight != 0 { throw .adminWeight }
            if let owner = s.keyOwners[key] { throw .keyInUse(owner: owner) }
            if s.retiredKeys.contains(key) { throw .keyRetired }
            guard s.members.count < Limits.maxMembers else { throw .tooManyMembers(limit: Limits.maxMembers) }
        case let .removeMember(name):
            guard let m = s.members[name], m.role != .node else { throw .unknownMember(name) }
            if m.role == .admin, s.members(role: .admin).count == 1 { throw .lastAdmin(name) }
            if m.role == .voter, s.members(role: .voter).count == 1 { throw .lastVoter(name) }
        case let .setPolicy(change):
            guard !change.isEmpty else { throw .emptyPolicyChange }
            if let problem = s.policy.applying(change).problem { throw .invalidPolicy(problem) }
        case let .deployContract(name, version, code):
            if let reason = Names.validate(name) { throw .invalidName(reason) }
            if let reason = Names.validate(version) { throw .invalidName(reason) }
            if s.contracts[name]?.code[version] != nil { throw .versionExists(contract: name, version: version) }
            try codeCheck(code)
        case let .upgradeContract(name, to, stage, percent):
            guard let c = s.contracts[name] else { throw .unknownContract(name) }
            guard c.code[to] != nil else { throw .unknownVersion(contract: name, version: to) }
            _ = try c.routing.advancing(to: to, stage: stage, percent: percent, target: name)
        case let .rollbackContract(name):
            guard let c = s.contracts[name] else { throw .unknownContract(name) }
            _ = try c.routing.rolledBack(target: name)
        case let .upgradeNodes(to, stage, percent):
            guard NodeLogics.named(to) != nil else { throw .unknownLogic(to) }
            guard fleet.contains(where: { $0.logic == to }) else { throw .noNodeRunsLogic(to) }
            _ = try s.nodeRouting.advancing(to: to, stage: stage, percent: percent, target: ManagementOperation.nodesTarget)
        case .rollbackNodes:
            _ = try s.nodeRouting.rolledBack(target: ManagementOperation.nodesTarget)
        }
    }

    /// Applies a checked operation; returns the events it causes beyond `OperationExecuted`.
    static func apply(_ op: ManagementOperation, proposal id: UInt64, _ s: inout ManagementState) -> [GovernanceEvent] {
        switch op {
        case let .addMember(name, role, weight, key):
            s.members[name] = Member(name: name, role: role, weight: weight, publicKey: key)
            s.keyOwners[key] = name
            return []
        case let .removeMember(name):
            if let m = s.members.removeValue(forKey: name) {
                // A removed member's key is never trusted again, even under a new name.
                s.keyOwners[m.publicKey] = nil
                s.retiredKeys.insert(m.publicKey)
            }
            return []
        case let .setPolicy(change):
            s.policy = s.policy.applying(change)
            return []
        case let .deployContract(name, version, code):
            let hash = Hash256.of(code)
            s.code[hash] = code
            if s.contracts[name] == nil {
                s.contracts[name] = DeployedContract(name: name, firstVersion: version, code: hash)
            } else {
                s.contracts[name]!.add(version, hash)
            }
            return [.contractDeployed(proposal: id, contract: name, version: version, code: hash.hex)]
        case let .upgradeContract(name, to, stage, percent):
            var routing = try! s.contracts[name]!.routing.advancing(to: to, stage: stage, percent: percent, target: name)
            routing.proposal = id
            s.contracts[name]!.routing = routing
            // A new rollout is judged on its own calls, not on an earlier attempt's.
            if stage == .prerelease { s.contracts[name]!.stats[to] = RolloutStats() }
            return [routingChanged(id, name, routing)]
        case let .rollbackContract(name):
            s.contracts[name]!.routing = try! s.contracts[name]!.routing.rolledBack(target: name)
            return [.rollbackTriggered(proposal: id, target: name, automatic: false, reason: "rolled back by proposal \(id)"),
                    routingChanged(id, name, s.contracts[name]!.routing)]
        case let .upgradeNodes(to, stage, percent):
            var routing = try! s.nodeRouting.advancing(to: to, stage: stage, percent: percent, target: ManagementOperation.nodesTarget)
            routing.proposal = id
            s.nodeRouting = routing
            if stage == .prerelease { s.nodeStats[to] = RolloutStats() }
            return [routingChanged(id, ManagementOperation.nodesTarget, routing)]
        case .rollbackNodes:
            s.nodeRouting = try! s.nodeRouting.rolledBack(target: ManagementOperation.nodesTarget)
            return [.rollbackTriggered(proposal: id, target: ManagementOperation.nodesTarget, automatic: false, reason: "rolled back by proposal \(id)"),
                    routingChanged(id, ManagementOperation.nodesTarget, s.nodeRouting)]
        }
    }

    static func routingChanged(_ id: UInt64, _ target: String, _ r: RoutingPolicy) -> GovernanceEvent {
        .routingChanged(proposal: id, target: target, stage: r.stage, old: r.old, new: r.new ?? "none",
                        prerelease: r.prerelease, gray: r.gray, production: r.production)
    }
}
