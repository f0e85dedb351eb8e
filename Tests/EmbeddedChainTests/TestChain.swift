@testable import ChainModel
@testable import ChainPrimitives
@testable import ContractRuntime
@testable import DurableStorage
@testable import EmbeddedChain
import Foundation
@testable import Governance
@testable import Rollout
import Synchronization

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let ms: Atomic<UInt64>
    init(_ start: UInt64 = 1_800_000_000_000) { ms = Atomic(start) }
    var now: UInt64 { ms.load(ordering: .relaxed) }
    func advance(_ delta: UInt64) { ms.add(delta, ordering: .relaxed) }
    var read: ChainClock { { self.now } }
}

/// A demo-like chain in a fresh temporary directory: admin `ops`, voters with weights, three nodes.
struct TestChain {
    let dir: String
    let keystore: Keystore
    let clock: ManualClock
    var chain: Chain
    var keys: [String: SigningKey] = [:]

    static let nodes = ["node-1", "node-2", "node-3"]

    /// `format` seals every block in that format, as the govconsole that wrote it did.
    init(voters: [(String, UInt64)] = [("alice", 1), ("bob", 1), ("carol", 1), ("dave", 1), ("erin", 1)],
         policy: Policy = .default, format: UInt8 = BlockHeader.version) throws {
        dir = NSTemporaryDirectory() + "gc-test-\(UUID().uuidString)"
        keystore = Keystore(directory: dir + "/keys")
        clock = ManualClock()
        var members: [Member] = []
        var keys: [String: SigningKey] = [:]
        for (name, role, weight) in [("ops", Role.admin, UInt64(0))] + voters.map({ ($0.0, Role.voter, $0.1) })
            + TestChain.nodes.map({ ($0, Role.node, UInt64(0)) }) {
            let key = SigningKey()
            keys[name] = key
            try keystore.store(key, for: name)
            members.append(Member(name: name, role: role, weight: weight, publicKey: key.publicKey))
        }
        self.keys = keys
        let assetLedger = try DemoContracts.assetLedger().map {
            Genesis.GenesisContract.Version(version: $0.version, code: try ContractCode.compile(Array($0.source.utf8)))
        }
        let genesis = Genesis(name: "test", time: clock.now, policy: policy, members: members,
                              nodes: TestChain.nodes.map { Genesis.NodeSpec(name: $0, logic: $0 == "node-3" ? "v2" : "v1") },
                              contracts: [Genesis.GenesisContract(name: "asset-ledger", versions: assetLedger)])
        chain = try Chain.create(at: dir + "/ledger", genesis: genesis, keystore: keystore, clock: clock.read, format: format)
    }

    func tx(_ sender: String, _ call: GovernanceCall, nonce: UInt64? = nil, key: SigningKey? = nil) async -> Transaction {
        let state = await chain.state
        return Transaction.signed(chain: state.genesisHash, sender: sender, nonce: nonce ?? state.nextNonce(of: sender),
                                  lane: .production, payload: .governance(call), key: key ?? keys[sender]!)
    }

    /// The node the node routing policy picks for `tx` now: the only one the chain accepts it from.
    func routed(_ tx: Transaction) async -> String {
        let (fleet, policy) = await chain.routingInputs
        return NodeRouting.node(for: tx, fleet: fleet, policy: policy)
    }

    /// Submits through the node the policy picks, as the platform does.
    @discardableResult
    func submit(_ tx: Transaction) async throws -> Receipt {
        try await chain.submit(tx, via: await routed(tx))
    }

    @discardableResult
    func send(_ sender: String, _ call: GovernanceCall) async throws -> Receipt {
        try await submit(await tx(sender, call))
    }

    func vote(_ voter: String, _ proposal: UInt64, _ choice: Choice) async throws {
        let request = await chain.state.management.proposal(proposal)!.elector(voter)!.request
        try await send(voter, .vote(proposal: proposal, request: request, choice: choice))
    }

    func proposal(_ id: UInt64) async -> Proposal { await chain.state.management.proposal(id)! }

    /// Proposes `op`, has alice, bob and carol approve, and executes it.
    @discardableResult
    func enact(_ op: ManagementOperation) async throws -> Receipt {
        try await send("ops", .propose(op))
        let id = UInt64(await chain.state.management.proposals.count)
        for v in ["alice", "bob", "carol"] { try await vote(v, id, .approve) }
        return try await send("ops", .execute(proposal: id))
    }

    /// Calls a contract as `sender` on `lane`, through the node the policy picks; failed calls come back
    /// as failed receipts.
    @discardableResult
    func call(_ sender: String, _ function: String, _ args: [String] = [], lane: Lane = .production,
              contract: String = "asset-ledger") async throws -> Receipt {
        try await submit(await callTx(sender, function, args, lane: lane, contract: contract))
    }

    /// A signed contract call at `sender`'s next nonce, not yet submitted.
    func callTx(_ sender: String, _ function: String, _ args: [String] = [], lane: Lane = .production,
                contract: String = "asset-ledger") async -> Transaction {
        let state = await chain.state
        return Transaction.signed(chain: state.genesisHash, sender: sender, nonce: state.nextNonce(of: sender), lane: lane,
                                  payload: .call(ContractCall(contract: contract, function: function, args: args)), key: keys[sender]!)
    }

    /// Closes this chain's lock and opens the same directory again, replaying the ledger.
    mutating func reopen() throws {
        chain = try Chain.open(at: dir + "/ledger", keystore: keystore, clock: clock.read)
    }
}

extension ManagementOperation {
    static func newVoter(_ name: String, weight: UInt64 = 1) -> ManagementOperation {
        .addMember(name: name, role: .voter, weight: weight, publicKey: SigningKey().publicKey)
    }
}
