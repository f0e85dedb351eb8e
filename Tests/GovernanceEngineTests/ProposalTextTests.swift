import ChainPrimitives
import Governance
import GovernanceAPI
import Rollout
import Testing

/// The one reading of a proposal from text: `govconsole propose …`, the console's `:propose …` and its form.
@Suite struct ProposalTextTests {
    @Test func wordsReadAsTheCLIsOptions() throws {
        #expect(try ProposalText.parse(["add-member", "zed"]) == .addMember(name: "zed", role: .voter, weight: 1))
        #expect(try ProposalText.parse(["add-member", "--role=admin", "boss"]) == .addMember(name: "boss", role: .admin, weight: 0))
        let key = SigningKey().publicKey
        #expect(try ProposalText.parse(["add-member", "zed", "--weight", "3", "--key", key.hex])
                == .operation(.addMember(name: "zed", role: .voter, weight: 3, publicKey: key)))
        #expect(try ProposalText.parse(["upgrade-contract", "asset-ledger", "--to", "v2", "--stage", "Production", "--percent", "30"])
                == .operation(.upgradeContract(name: "asset-ledger", to: "v2", stage: .production, percent: 30)))
        #expect(try ProposalText.parse(["upgrade-nodes", "--to", "v2", "--stage", "gray"])
                == .operation(.upgradeNodes(to: "v2", stage: .gray, percent: 100)))
        #expect(try ProposalText.parse(["deploy-contract", "echo", "--version", "v1", "--file", "a b.wat"])
                == .deployContract(name: "echo", version: "v1", file: "a b.wat"))
        #expect(try ProposalText.parse(["set-policy", "--gate-min-calls", "50"])
                == .operation(.setPolicy(PolicyChange(gateMinCalls: 50))))
        #expect(try ProposalText.parse(["rollback-nodes"]) == .operation(.rollbackNodes))
    }

    @Test func eachMistakeIsOneLineSayingWhatToWrite() {
        func error(_ words: [String]) -> String? {
            do { _ = try ProposalText.parse(words); return nil } catch { return error.description }
        }
        #expect(error(["promote", "zed"]) == "unknown operation 'promote'; propose one of: add-member, remove-member, set-policy, deploy-contract, upgrade-contract, rollback-contract, upgrade-nodes, rollback-nodes")
        #expect(error(["remove-member"]) == "remove-member needs <name>; see 'govconsole propose remove-member --help'")
        #expect(error(["upgrade-nodes", "--to", "v2"]) == "upgrade-nodes needs --stage; see 'govconsole propose upgrade-nodes --help'")
        #expect(error(["add-member", "zed", "--colour", "red"]) == "add-member has no option '--colour'; it takes --role, --weight, --key")
        #expect(error(["remove-member", "zed", "erin"]) == "unexpected argument 'erin' for remove-member; quote a value that has spaces")
        #expect(error(["add-member", "zed", "--role"]) == "--role needs a value, like --role VALUE")
        #expect(error(["add-member", "zed", "--weight", "-1"]) == "--weight: not a whole number; write it like 1")
        #expect(error(["add-member", "zed", "--key", "abc"]) == "--key: not 64 hex digits, an Ed25519 public key")
        #expect(error(["set-policy", "--voting-period", "500ms"]) == "--voting-period: out of range; a duration must be from 1s to 366d")
        #expect(error(["upgrade-contract", "c", "--to", "v2", "--stage", "production", "--percent", "0"]) == "--percent: must be 1 to 100")
        #expect(error(["upgrade-contract", "c", "--to", "v2", "--stage", "none"]) == "--stage: not a stage; use prerelease, gray or production")
    }

    @Test func blankValuesCountAsNotGiven() throws {
        #expect(try ProposalText.parse(.addMember, ["name": "zed", "role": " ", "weight": ""]) == .addMember(name: "zed", role: .voter, weight: 1))
    }
}
