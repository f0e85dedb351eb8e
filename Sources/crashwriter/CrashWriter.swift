import ArgumentParser
import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Governance
import GovernanceAPI
import GovernanceEngine
import ServicePlatform
#if canImport(Glibc)
import Glibc
#endif

/// The writer half of the crash harness (Tests/govconsoleTests/CrashHarnessTests.swift): it opens a demo consortium in `--data DIR`
/// (creating it the first time) and writes to it at full speed until it is killed: proposals,
/// cancellations and executions from `ops`, votes and `asset-ledger` calls from every voter, one in
/// flight per sender and six senders at once, so blocks carry several transactions.
///
/// Each transaction whose receipt came back (its block was fsynced) is printed as `ack <tx id> <height>`
/// on stdout in one write(2), so the harness knows exactly what was acknowledged before the kill and how
/// far the ledger has grown: it kills by that progress, never after a delay. Not a user tool; it is built
/// as a test dependency.
@main
struct CrashWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crashwriter", abstract: "Write to a demo consortium at full speed until killed (the crash harness's writer).")

    @Option(help: "The data directory (a demo consortium is created there the first time).")
    var data: String

    @Option(help: "Seeds the writers' choices, so a kill moment can be repeated.")
    var seed: UInt64 = 1

    func run() async throws {
        let dir = DataDirectory(path: data)
        do {
            if !Chain.exists(at: dir.ledger) {
                let engine = try await GovernanceEngine.create(at: dir, consortium: try .demo())
                await engine.close()
            }
            let keystore = Keystore(directory: dir.keys)
            let chain = try Chain.open(at: dir.ledger, keystore: keystore)
            for w in chain.warnings { say("warning \(w)", fd: 2) }
            say("ready \(await chain.state.height)")
            let writer = Writer(platform: await ServicePlatform.started(on: chain), chain: chain, keystore: keystore)
            await writer.run(seed: seed)
        } catch {
            // One line the harness reports as is, not ArgumentParser's usage text.
            say("error: \(error)", fd: 2)
            throw ExitCode.failure
        }
    }
}

/// One line, one write(2): a line is either wholly in the pipe or not at all when the kill lands.
func say(_ line: String, fd: Int32 = 1) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

struct Writer: Sendable {
    let platform: ServicePlatform
    let chain: Chain
    let keystore: Keystore

    func run(seed: UInt64) async {
        let voters = ["alice", "bob", "carol", "dave", "erin"]
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await admin(seed: seed) }
            for (n, voter) in voters.enumerated() {
                group.addTask { await member(voter, others: voters.filter { $0 != voter }, seed: seed &+ UInt64(n + 1)) }
            }
        }
    }

    /// Signs `payload` as `sender` at its next committed nonce, submits it through the platform and
    /// acknowledges the receipt. A refusal is skipped: the loop looks at the state again.
    func send(_ payload: Payload, as sender: String, lane: Lane = .production) async {
        guard let key = try? keystore.load(sender) else { return }
        let state = await chain.state
        let tx = Transaction.signed(chain: state.genesisHash, sender: sender, nonce: state.nextNonce(of: sender),
                                    lane: lane, payload: payload, key: key)
        if let sealed = try? await platform.results(of: await platform.enqueue([tx], verified: false))[0].get() {
            say("ack \(tx.id.hex) \(sealed.height)")
        }
    }

    /// `ops` keeps up to three proposals open: it proposes new members, cancels the oldest open one when
    /// three are open, and executes whatever passed.
    func admin(seed: UInt64) async {
        var n = seed &* 1_000_000
        while !Task.isCancelled {
            let state = await chain.state
            let now = await chain.now()
            let mine = state.management.proposals.filter { $0.proposer == "ops" }
            if let ready = mine.first(where: { state.management.permissions[$0.id]?.state(at: now) == .granted }) {
                await send(.governance(.execute(proposal: ready.id)), as: "ops")
                continue
            }
            let open = mine.filter { $0.status(at: now) == .voting }
            if open.count >= 3 {
                await send(.governance(.cancel(proposal: open[0].id)), as: "ops")
                continue
            }
            n += 1
            let op = ManagementOperation.addMember(name: "m\(n)", role: .voter, weight: 1, publicKey: SigningKey().publicKey)
            await send(.governance(.propose(op)), as: "ops")
        }
    }

    /// A voter votes on every open proposal that asks it to, and otherwise sends transfers on random lanes.
    func member(_ name: String, others: [String], seed: UInt64) async {
        var rng = seed
        func next() -> UInt64 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return rng >> 33
        }
        await send(.call(ContractCall(contract: "asset-ledger", function: "issue", args: ["1000000"])), as: name)
        while !Task.isCancelled {
            let state = await chain.state
            let now = await chain.now()
            let ask = state.management.proposals.first { p in
                p.status(at: now) == .voting && p.vote(of: name) == nil && p.elector(name) != nil
            }
            if let p = ask, let elector = p.elector(name) {
                let choices: [Choice] = [.approve, .approve, .approve, .reject, .abstain]
                await send(.governance(.vote(proposal: p.id, request: elector.request, choice: choices[Int(next() % 5)])), as: name)
                continue
            }
            let to = others[Int(next() % UInt64(others.count))]
            await send(.call(ContractCall(contract: "asset-ledger", function: "transfer", args: [to, String(1 + next() % 9)])),
                       as: name, lane: Lane.allCases[Int(next() % UInt64(Lane.allCases.count))])
        }
    }
}
