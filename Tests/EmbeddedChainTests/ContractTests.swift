@testable import ChainModel
@testable import ChainPrimitives
@testable import ContractRuntime
@testable import EmbeddedChain
@testable import Governance
@testable import Rollout
import Testing

@Suite struct ContractTests {
    @Test func assetLedgerV1IssuesTransfersAndRefusesOverdrafts() async throws {
        let t = try TestChain()
        #expect(try await t.call("alice", "issue", ["100"]).ok)
        let transfer = try await t.call("alice", "transfer", ["bob", "30"])
        #expect(transfer.ok && transfer.call?.version == "v1")
        #expect(transfer.events.contains(.contract(ContractEvent(contract: "asset-ledger", version: "v1", topic: "transfer", data: "bob"))))
        #expect(try await t.call("carol", "balance", ["alice"]).call?.result == "70")
        #expect(try await t.call("bob", "balance").call?.result == "30")
        #expect(try await t.call("bob", "supply").call?.result == "100")

        // A failed call is included, with its reason, and changes no storage.
        let overdraft = try await t.call("bob", "transfer", ["alice", "31"])
        #expect(!overdraft.ok && overdraft.error == "insufficient balance")
        #expect(try await t.call("bob", "balance").call?.result == "30")
        #expect(try await t.call("bob", "issue", ["-5"]).error == "amount must be positive")
        #expect(try await t.call("bob", "issue", ["ten"]).error == "argument 1 'ten' is not a whole number")
        #expect(try await t.call("bob", "mint").error == "mint is not a function of this contract")
    }

    @Test func v2ChargesAFeeAndSharesStorageWithV1() async throws {
        let t = try TestChain()
        try await t.call("alice", "issue", ["100"])
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0))
        // Prerelease traffic goes to v2, which sees v1's balances and takes a fee of 1.
        let r = try await t.call("alice", "transfer", ["bob", "10"], lane: .prerelease)
        #expect(r.ok && r.call?.version == "v2")
        #expect(try await t.call("alice", "balance", lane: .production).call?.result == "89")
        #expect(try await t.call("alice", "fees", lane: .prerelease).call?.result == "1")
        // Production is still on v1, which has no `fees` and charges none.
        let v1 = try await t.call("alice", "transfer", ["bob", "10"], lane: .production)
        #expect(v1.call?.version == "v1")
        #expect(try await t.call("alice", "balance").call?.result == "79")
        #expect(try await t.call("alice", "fees", lane: .production).error == "fees is not a function of this contract")
    }

    @Test func stagesMustComeInOrder() throws {
        let p = RoutingPolicy(old: "v1")
        #expect(throws: GovernanceError.self) { try p.advancing(to: "v2", stage: .gray, percent: 0, target: "c") }
        #expect(throws: GovernanceError.self) { try p.advancing(to: "v2", stage: .production, percent: 100, target: "c") }
        #expect(throws: GovernanceError.nothingToRollBack(target: "c")) { try p.rolledBack(target: "c") }
        let pre = try p.advancing(to: "v2", stage: .prerelease, percent: 0, target: "c")
        #expect([pre.prerelease, pre.gray, pre.production] == [100, 0, 0])
        #expect(throws: GovernanceError.self) { try pre.advancing(to: "v3", stage: .prerelease, percent: 0, target: "c") }
        let gray = try pre.advancing(to: "v2", stage: .gray, percent: 0, target: "c")
        #expect([gray.prerelease, gray.gray, gray.production] == [100, 100, 0])
        let half = try gray.advancing(to: "v2", stage: .production, percent: 50, target: "c")
        #expect(half.production == 50 && !half.isComplete)
        #expect(throws: GovernanceError.self) { try half.advancing(to: "v2", stage: .production, percent: 40, target: "c") }
        let full = try half.advancing(to: "v2", stage: .production, percent: 100, target: "c")
        #expect(full.isComplete)
        // After a complete rollout the next one starts from the version now in service.
        let next = try full.advancing(to: "v3", stage: .prerelease, percent: 0, target: "c")
        #expect(next.old == "v2" && next.new == "v3")
        let back = try half.rolledBack(target: "c")
        #expect(back == RoutingPolicy(old: "v1"))
    }

    @Test func aWeightedShareIsWithinTwoPointsAndTheSameForEveryNode() throws {
        let policy = try RoutingPolicy(old: "v1").advancing(to: "v2", stage: .prerelease, percent: 0, target: "c")
            .advancing(to: "v2", stage: .gray, percent: 0, target: "c")
        let key = SigningKey()
        for percent: UInt8 in [10, 30, 50, 85] {
            let p = try policy.advancing(to: "v2", stage: .production, percent: percent, target: "c")
            var toNew = 0
            for nonce in 1...10_000 {
                let tx = Transaction.signed(chain: .zero, sender: "alice", nonce: UInt64(nonce), lane: .production,
                                            payload: .call(ContractCall(contract: "c", function: "f", args: [])), key: key)
                let decision = p.routesToNew(tx.id, lane: .production)
                // Any node, given the same transaction, decides from its id alone.
                let elsewhere = try RoutingPolicy.decode(p.encoded)
                #expect(elsewhere.routesToNew(tx.id, lane: .production) == decision)
                if decision { toNew += 1 }
            }
            #expect(abs(toNew - Int(percent) * 100) <= 200, "\(percent)%: \(toNew) of 10000")
        }
    }

    @Test func anEndlessLoopRunsOutOfFuelAndTheChainGoesOn() async throws {
        let t = try TestChain()
        let loop = Array("""
            (module (memory (export "memory") 1)
              (func (export "spin") (loop $forever (br $forever))))
            """.utf8)
        try await t.enact(.deployContract(name: "spinner", version: "v1", code: try ContractCode.compile(loop)))
        let r = try await t.call("alice", "spin", contract: "spinner")
        #expect(!r.ok && r.error?.contains("fuel") == true)
        #expect(r.call?.fuel == ContractRuntime.fuelPerCall)
        #expect(try await t.call("alice", "issue", ["5"]).ok)
    }

    @Test func invalidCodeIsRefusedWhenProposed() async throws {
        let t = try TestChain()
        #expect(throws: GovernanceError.self) { try ContractCode.compile(Array("(module (func (export \"f\") i32.add))".utf8)) }
        #expect(throws: GovernanceError.self) { try ContractCode.compile(Array("(module (oops))".utf8)) }
        #expect(throws: GovernanceError.self) { try ContractCode.compile([0x00, 0x61, 0x73, 0x6d, 9, 9]) }
        // A hand-made proposal carrying bad bytes is refused on chain too.
        await #expect(throws: TransactionRejection.self) {
            try await t.send("ops", .propose(.deployContract(name: "bad", version: "v1", code: [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff])))
        }
        #expect(await t.chain.state.height == 0)
    }

    @Test func theHealthGateRollsBackAFaultyVersion() async throws {
        var policy = Policy.default
        policy.gate = HealthGate(margin: Ratio(parsing: "0.1")!, minCalls: 20)
        let t = try TestChain(policy: policy)
        // v3 aborts every transfer: a broken release.
        let faulty = Array("""
            (module
              (import "env" "abort" (func $abort (param i32 i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "broken")
              (func (export "transfer") (call $abort (i32.const 0) (i32.const 6))))
            """.utf8)
        try await t.enact(.deployContract(name: "asset-ledger", version: "v3", code: try ContractCode.compile(faulty)))
        try await t.call("alice", "issue", ["1000"])
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v3", stage: .prerelease, percent: 0))
        let upgradeProposal = UInt64(await t.chain.state.management.proposals.count)
        var rollback: GovernanceEvent?
        for _ in 0..<25 {
            let r = try await t.call("alice", "transfer", ["bob", "1"], lane: .prerelease)
            for case let .governance(e) in r.events { if case .rollbackTriggered = e { rollback = e } }
            if rollback != nil { break }
        }
        let event = try #require(rollback)
        guard case let .rollbackTriggered(proposal, target, automatic, reason) = event else { return }
        #expect(proposal == upgradeProposal && target == "asset-ledger" && automatic)
        #expect(reason.contains("v3 failed 100.0%"))
        #expect(await t.chain.state.management.contracts["asset-ledger"]!.routing == RoutingPolicy(old: "v1"))
        // Prerelease traffic is back on v1.
        #expect(try await t.call("alice", "transfer", ["bob", "1"], lane: .prerelease).call?.version == "v1")
    }

    @Test func logicV2AdmitsOnlyWellFormedCalls() async throws {
        let t = try TestChain()
        // Pre-release traffic goes to node-3, the one node running v2; production stays on v1.
        try await t.enact(.upgradeNodes(to: "v2", stage: .prerelease, percent: 100))
        let many = (1...9).map(String.init)
        // node-3 runs v2: it refuses the call at the door; node-1 or node-2 (v1) lets it in to fail in the contract.
        await #expect(throws: TransactionRejection.refusedByLogic(logic: "v2", reason: "a call may have at most 8 arguments")) {
            try await t.call("alice", "balance", many, lane: .prerelease)
        }
        let v1 = try await t.call("alice", "balance", many)
        #expect(v1.logic == "v1")
        #expect(try await t.call("alice", "balance", lane: .prerelease).logic == "v2")
    }

    @Test func onlyANodeReplacesItsOwnLogicAndFaultsAreInjected() async throws {
        let t = try TestChain()
        let state = await t.chain.state
        func setLogic(_ sender: String, _ node: String, fault: UInt64) -> Transaction {
            Transaction.signed(chain: state.genesisHash, sender: sender, nonce: 1, lane: .production,
                               payload: .setNodeLogic(node: node, logic: "v2", faultRate: fault), key: t.keys[sender]!)
        }
        await #expect(throws: TransactionRejection.notTheNode(sender: "ops", node: "node-1")) {
            try await t.submit(setLogic("ops", "node-1", fault: 0))
        }
        let r = try await t.submit(setLogic("node-1", "node-1", fault: 1_000_000))
        #expect(r.events == [.governance(.nodeLogicChanged(node: "node-1", logic: "v2", faultRate: 1_000_000))])
        // Pre-release traffic now goes to node-1 or node-3, the v2 nodes: send a call the policy gives node-1.
        try await t.enact(.upgradeNodes(to: "v2", stage: .prerelease, percent: 100))
        var toNode1: Transaction?
        for amount in 1...200 where toNode1 == nil {
            let tx = await t.callTx("alice", "issue", [String(amount)], lane: .prerelease)
            if await t.routed(tx) == "node-1" { toNode1 = tx }
        }
        let faulted = try await t.submit(try #require(toNode1))
        #expect(!faulted.ok && faulted.error?.contains("injected fault") == true && faulted.logic == "v2")
        #expect(await t.chain.state.management.nodeStats["v2"]?.failures == 1)
    }

    @Test func aNodeRecordedDownIsRoutedAroundUntilItRecordsItselfUp() async throws {
        var t = try TestChain()
        let genesis = await t.chain.state.genesisHash
        func availability(_ sender: String, _ node: String, up: Bool) async -> Transaction {
            Transaction.signed(chain: genesis, sender: sender, nonce: await t.chain.state.nextNonce(of: sender), lane: .production,
                               payload: .setNodeAvailability(node: node, online: up), key: t.keys[sender]!)
        }
        // Only a node records anything; another node may record it down, never up, and only in a block
        // it seals (here the nodes take turns by height).
        await #expect(throws: TransactionRejection.notANode("ops")) {
            try await t.submit(await availability("ops", "node-2", up: false))
        }
        let sealer = await t.chain.state.proposer(forHeight: await t.chain.state.height + 1)
        // A node on v1, as production traffic is.
        let v1 = await t.chain.state.nodes.filter { $0.logic == "v1" }.map(\.name)
        let target = v1.first { $0 != sealer }!
        let bystander = await t.chain.state.nodes.map(\.name).first { $0 != sealer && $0 != target }!
        await #expect(throws: TransactionRejection.notTheSealer(sender: bystander, node: target)) {
            try await t.submit(await availability(bystander, target, up: false))
        }
        let down = try await t.submit(await availability(sealer, target, up: false))
        #expect(down.events == [.governance(.nodeAvailabilityChanged(node: target, online: false, by: sealer))])
        let next = await t.chain.state.proposer(forHeight: await t.chain.state.height + 1)
        await #expect(throws: TransactionRejection.malformed("\(target) is already recorded down")) {
            try await t.submit(await availability(next, target, up: false))
        }
        await #expect(throws: TransactionRejection.notTheNodeToRecordUp(sender: bystander, node: target)) {
            try await t.submit(await availability(bystander, target, up: true))
        }
        // Every production call the policy would give the node now goes to another node that runs v1.
        for amount in 1...60 {
            let receipt = try await t.call("alice", "issue", [String(amount)])
            #expect(receipt.node != target && receipt.logic == "v1")
        }
        _ = try await t.submit(await availability(target, target, up: true))
        var routedToTarget = false
        for amount in 61...200 where !routedToTarget { routedToTarget = try await t.call("alice", "issue", [String(amount)]).node == target }
        #expect(routedToTarget)
        // The ledger replays to the same state.
        #expect(await t.chain.state.nodes.allSatisfy(\.online))
        let head = await t.chain.state.head
        await t.chain.close()
        try t.reopen()
        #expect(await t.chain.state.head == head)
    }

    /// A node up encodes as every node did before nodes could be down (so the state roots of ledgers
    /// sealed then still match); one down sets the top bit of its fault rate's word, and decodes back.
    @Test func aNodeUpEncodesAsBeforeAndOneDownRoundTrips() throws {
        var node = NodeRecord(name: "node-2", logic: "v2")
        node.faultRate = 250_000
        var before = ByteWriter()
        before.string("node-2"); before.string("v2"); before.u64(0); before.u64(0); before.u64(250_000)
        #expect(node.encoded == before.bytes)
        node.online = false
        var r = ByteReader(node.encoded)
        let decoded = try NodeRecord(from: &r)
        #expect(decoded == node && !decoded.online && decoded.faultRate == 250_000)
    }

    @Test func contractCallsReplayToTheSameReceipts() async throws {
        var t = try TestChain()
        try await t.call("alice", "issue", ["100"])
        try await t.enact(.upgradeContract(name: "asset-ledger", to: "v2", stage: .prerelease, percent: 0))
        try await t.call("alice", "transfer", ["bob", "10"], lane: .prerelease)
        try await t.call("alice", "transfer", ["bob", "500"], lane: .gray)
        let before = await t.chain.state
        await t.chain.close()
        try t.reopen()   // replays every block and checks each stored receipt
        let after = await t.chain.state
        #expect(after.head == before.head)
        #expect(after.contractStorage == before.contractStorage)
        #expect(after.management.contracts == before.management.contracts)
    }
}
