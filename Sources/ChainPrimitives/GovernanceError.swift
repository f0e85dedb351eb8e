/// Every way the management contract refuses a call, as named values (Cosmos `types/errors.go`).
/// Each message is a sentence that says what to do.
public enum GovernanceError: Error, Hashable, Sendable, CustomStringConvertible {
    case notAdmin(name: String, role: Role)
    case notAVoter(name: String, role: Role)
    case notElector(name: String, proposal: UInt64)
    case unknownProposal(UInt64)
    case votingClosed(proposal: UInt64, status: ProposalStatus)
    case wrongVoteRequest(proposal: UInt64, request: UInt64, voter: String)
    case notProposer(proposal: UInt64, proposer: String, caller: String)
    case notPassed(proposal: UInt64, status: ProposalStatus)
    case alreadyExecuted(proposal: UInt64)
    case permissionExpired(proposal: UInt64)
    case noPermission(proposal: UInt64)
    case memberExists(String)
    case unknownMember(String)
    case lastAdmin(String)
    case lastVoter(String)
    case invalidName(String)
    case invalidWeight(UInt64)
    case invalidPolicy(String)
    case emptyPolicyChange
    case noElectorate
    case tooManyOpenProposals(proposer: String, limit: Int)
    case tooManyMembers(limit: Int)
    case keyInUse(owner: String)
    case keyRetired
    case stageOutOfOrder(target: String, reason: String)
    case nothingToRollBack(target: String)
    case unknownContract(String)
    case unknownVersion(contract: String, version: String)
    case versionExists(contract: String, version: String)
    case invalidCode(String)
    case noNodeRunsLogic(String)
    case unknownLogic(String)
    case adminWeight

    public var description: String {
        switch self {
        case let .notAdmin(name, role):
            "\(name) is \(role == .admin ? "an" : "a") \(role.rawValue) and only admins may propose, execute or cancel; run it --as an admin"
        case let .notAVoter(name, role):
            "\(name) is \(role == .admin ? "an" : "a") \(role.rawValue) and only voters vote; run it --as a voter"
        case let .notElector(name, p):
            "\(name) is not in the electorate of proposal \(p); only voters who were members when it was proposed may vote"
        case let .unknownProposal(p):
            "there is no proposal \(p); run 'govconsole proposals' to list them"
        case let .votingClosed(p, status):
            "voting on proposal \(p) is closed (it is \(status.rawValue)); see 'govconsole show \(p)'"
        case let .wrongVoteRequest(p, request, voter):
            "vote request \(request) of proposal \(p) is not addressed to \(voter); answer your own VoteRequested event"
        case let .notProposer(p, proposer, caller):
            "only \(proposer), who proposed \(p), may do that, not \(caller); run it --as \(proposer)"
        case let .notPassed(p, status):
            "proposal \(p) has not passed (it is \(status.rawValue)); only a passed proposal can be executed"
        case let .alreadyExecuted(p):
            "proposal \(p) was already executed and its permission is used up; propose again to repeat it"
        case let .permissionExpired(p):
            "the permission granted by proposal \(p) has expired; propose the operation again"
        case let .noPermission(p):
            "no permission was granted for proposal \(p); it must pass before it can be executed"
        case let .memberExists(name):
            "\(name) is already a member; choose another name"
        case let .unknownMember(name):
            "\(name) is not a member; run 'govconsole members' to list them"
        case let .lastAdmin(name):
            "\(name) is the last admin; add another admin before removing it"
        case let .lastVoter(name):
            "\(name) is the last voter; add another voter before removing it"
        case let .invalidName(reason):
            reason
        case let .invalidWeight(w):
            "weight \(w) is out of range; a voter's weight must be 1 to \(Limits.maxWeight)"
        case let .invalidPolicy(reason):
            "invalid policy: \(reason)"
        case .emptyPolicyChange:
            "set-policy changes nothing; pass at least one of --quorum, --threshold, --voting-period, --permission-ttl"
        case .noElectorate:
            "there are no voters to vote on a proposal; the consortium needs at least one voter"
        case let .tooManyOpenProposals(proposer, limit):
            "\(proposer) already has \(limit) proposals open; wait for some to close or cancel them"
        case let .tooManyMembers(limit):
            "the consortium already has \(limit) members, the most it may have"
        case let .keyInUse(owner):
            "that public key already belongs to \(owner); give each member its own key"
        case let .stageOutOfOrder(target, reason):
            "stage out of order for \(target): \(reason)"
        case let .nothingToRollBack(target):
            "there is no rollout of \(target) to roll back; every lane already runs the version in service"
        case let .unknownContract(name):
            "there is no contract '\(name)'; run 'govconsole routing' to list contracts"
        case let .unknownVersion(contract, version):
            "\(contract) has no version \(version); deploy it first with a deploy-contract proposal"
        case let .versionExists(contract, version):
            "\(contract) already has a version \(version); choose a new version name"
        case let .invalidCode(reason):
            "the contract code is not valid WebAssembly: \(reason)"
        case let .noNodeRunsLogic(version):
            "no node runs logic \(version); run 'govconsole node set-logic NODE \(version)' first"
        case let .unknownLogic(version):
            "there is no node logic \(version); the versions are \(NodeLogics.versions.joined(separator: ", "))"
        case .keyRetired:
            "that public key belonged to a removed member and is not trusted again; generate a new key"
        case .adminWeight:
            "an admin does not vote, so it has no weight; drop --weight for an admin"
        }
    }
}

