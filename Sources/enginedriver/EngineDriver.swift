import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Foundation
import Governance
import GovernanceAPI
import GovernanceEngine
import GovernanceService
import ServiceClient
import Synchronization

// The engine's request path under open-loop load: `swift run -c release enginedriver RATE [SECONDS] [SENDERS]`.
// A consortium of 10,000 voters and 100 open proposals; votes pre-signed, then submitted through
// `GovernanceEngine.submit` by SENDERS tasks, 1–16 at a time, on a fixed schedule; latency runs from the
// scheduled time (a late sender counts) to the vote's `TallyUpdated` reaching a block subscriber.
// A measuring tool for engineers, independent of govbench; no test depends on it. It prints each second's
// p99/worst and any pause over 40 ms between blocks. ENGINEDRIVER_SERVICE=N sends through `serve`'s
// server on a Unix socket over N connections; ENGINEDRIVER_NULL=1 measures the driver's own cost.

let args = CommandLine.arguments.dropFirst().compactMap(Double.init)
let rate = args.first ?? 5_000
let seconds = args.count > 1 ? args[1] : 10
let senders = args.count > 2 ? Int(args[2]) : 128
let voterCount = 10_000, proposalCount = 100

func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

let root = FileManager.default.temporaryDirectory.appendingPathComponent("enginedriver-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: root) }
let dir = DataDirectory(path: root)
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
let keystore = Keystore(directory: dir.keys)
let admin = SigningKey()
try keystore.store(admin, for: "ops")
var members = [Member(name: "ops", role: .admin, weight: 0, publicKey: admin.publicKey)]
let nodes = (1...6).map { Genesis.NodeSpec(name: "node-\($0)", logic: "v1") }
for node in nodes {
    let key = SigningKey()
    try keystore.store(key, for: node.name)
    members.append(Member(name: node.name, role: .node, weight: 0, publicKey: key.publicKey))
}
let voters = (1...voterCount).map { (name: String(format: "v%05d", $0), key: SigningKey()) }
members += voters.map { Member(name: $0.name, role: .voter, weight: 1, publicKey: $0.key.publicKey) }
let genesis = Genesis(name: "enginedriver", time: WallClock.now(), policy: .default, members: members, nodes: nodes, contracts: [])
let created = try Chain.create(at: dir.ledger, genesis: genesis, keystore: keystore)
let chainHash = created.genesisHash
await created.close()
let engine = try await GovernanceEngine.open(at: dir)

say("opening \(proposalCount) proposals")
let proposals = (0..<proposalCount).map { i in
    Transaction.signed(chain: chainHash, sender: "ops", nonce: UInt64(i + 1), lane: .production,
                       payload: .governance(.propose(.setPolicy(PolicyChange(votingPeriod: 24 * 3_600_000 + UInt64(i) * 1000)))), key: admin)
}
for r in await engine.platform.submit(batch: proposals) { _ = try r.get() }

// Vote k: voter k mod V, round k / V on proposal round mod P, at nonce round + 1; approve and reject
// alternate by voter so no proposal closes.
let total = Int(rate * seconds)
let state = await engine.chainState()
say("signing \(total) votes")
// Every proposal was opened under the same membership, so one seat index serves them all.
let seats = Dictionary(uniqueKeysWithValues: state.management.proposal(1)!.electorate.seats.enumerated().map { ($1.name, $0) })
let votes: [Transaction] = await withTaskGroup(of: (Int, [Transaction]).self) { group in
    let workers = ProcessInfo.processInfo.activeProcessorCount
    let chunk = (total + workers - 1) / workers
    for start in stride(from: 0, to: total, by: chunk) {
        group.addTask {
            (start, (start..<min(total, start + chunk)).map { k in
                let v = k % voterCount, round = k / voterCount
                let p = state.management.proposal(UInt64(round % proposalCount + 1))!
                let seat = seats[voters[v].name]!
                return Transaction.signed(chain: chainHash, sender: voters[v].name, nonce: UInt64(round + 1), lane: .production,
                                          payload: .governance(.vote(proposal: p.id, request: p.firstRequest + UInt64(seat),
                                                                     choice: v % 2 == 0 ? .approve : .reject)), key: voters[v].key)
            })
        }
    }
    var parts: [(Int, [Transaction])] = []
    for await part in group { parts.append(part) }
    return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
}

func ceiling() -> Double {
    let sample = Array(votes.prefix(20_000))
    let started = ContinuousClock.now
    _ = SignatureCheck.verify(sample, members: state.management.members)
    let d = ContinuousClock.now - started
    return Double(sample.count) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}
let ceilingBefore = ceiling()

// Where each vote's TallyUpdated arrived, by transaction id.
// Reserved up front: growing it under the subscriber's lock stalled the subscriber for up to 170 ms at
// 98,304 entries, which read as the engine's latency.
let arrivals = Mutex<[Hash256: ContinuousClock.Instant]>(Dictionary(minimumCapacity: total))
let blocks = await engine.platform.blocks(from: state.height + 1)
let subscriber = Task {
    var last = ContinuousClock.now
    for await block in blocks {
        let now = ContinuousClock.now
        // A pause between blocks that long under steady load is a stall worth finding.
        if now - last > .milliseconds(40) { say("\(now - last) without a block before block \(block.height) of \(block.transactions.count) tx") }
        last = now
        arrivals.withLock { a in
            for r in block.receipts { for case .governance(.tallyUpdated) in r.events { a[r.tx] = now } }
        }
    }
}

// ENGINEDRIVER_SERVICE=N: votes go through `serve`'s server on a Unix socket, over N client connections,
// as govbench's service search sends them, instead of straight to the engine.
let connections = Int(ProcessInfo.processInfo.environment["ENGINEDRIVER_SERVICE"] ?? "") ?? 0
var backends: [RemoteBackend] = []
var server: GovernanceServer?
if connections > 0 {
    let bound = try await GovernanceServer.bind(engine: engine, address: .unix(path: root + "/driver.sock"), token: nil,
                                                handshake: HandshakeLimits(timeout: .seconds(3600), capacity: 1024))
    server = bound
    Task { await bound.run() }
    for i in 0..<connections {
        backends.append(try await RemoteBackend.connect(to: bound.address, token: nil, client: "driver-\(i)", patience: .seconds(60)))
    }
    say("through the service: \(connections) connections")
}
let remote = backends
func send(_ i: Int) async throws {
    if remote.isEmpty { _ = try await engine.submit(votes[i], since: 0) } else { _ = try await remote[i % voterCount % remote.count].submit(votes[i], since: 0) }
}

let failures = Atomic<Int>(0)
// ENGINEDRIVER_NULL=1: each vote is verified and dropped, not submitted. The process's CPU in that run is
// this driver's own cost plus verifying; what a real run uses beyond it is the engine's.
let nullRun = ProcessInfo.processInfo.environment["ENGINEDRIVER_NULL"] != nil
let start = ContinuousClock.now + .milliseconds(200)
let interval = Duration.seconds(1) / rate
// The schedule in groups of 1–16, dealt to the senders in turn.
let groups: [[Int]] = {
    var groups: [[Int]] = []
    var k = 0
    while k < total {
        let size = min(total - k, groups.count % 16 + 1)
        groups.append(Array(k..<k + size))
        k += size
    }
    return groups
}()
say("submitting \(total) votes at \(Int(rate))/s from \(senders) senders")
await withTaskGroup(of: Void.self) { group in
    for s in 0..<senders {
        group.addTask {
            // Discarding: a group that kept its finished children freed them all at the end, a 0.1–0.4 s
            // stall of the whole process that read as the engine's latency.
            await withDiscardingTaskGroup { inner in
                for g in stride(from: s, to: groups.count, by: senders) {
                    let due = start + interval * Double(groups[g][0])
                    try? await Task.sleep(until: due, clock: .continuous)
                    for i in groups[g] {
                        inner.addTask {
                            if nullRun { _ = SignatureCheck.verify(votes[i], members: state.management.members); return }
                            do { try await send(i) } catch {
                                if failures.add(1, ordering: .relaxed).newValue <= 5 { say("refused: \(error)") }
                            }
                        }
                    }
                }
            }
        }
    }
}
let elapsed = ContinuousClock.now - start
try? await Task.sleep(for: .milliseconds(300))
let ceilingAfter = ceiling()
subscriber.cancel()

let lat: [Double] = arrivals.withLock { a in
    votes.indices.compactMap { i in
        guard i >= Int(rate) / 2, let t = a[votes[i].id] else { return nil } // the first half second warms up
        let d = t - (start + interval * Double(i))
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}.sorted()
// Each second's p99 and worst, to tell steady queueing from stalls.
let bySecond: [String] = arrivals.withLock { a in
    var seconds: [[Double]] = Array(repeating: [], count: Int(seconds.rounded(.up)))
    for i in votes.indices {
        guard let t = a[votes[i].id] else { continue }
        let d = t - (start + interval * Double(i))
        seconds[min(seconds.count - 1, i / Int(rate))].append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
    return seconds.map { s in
        let sorted = s.sorted()
        return sorted.isEmpty ? "-" : String(format: "%.0f/%.0f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))], sorted.last!)
    }
}
say("p99/max ms by second: " + bySecond.joined(separator: " "))
let delivered = arrivals.withLock { $0.count }
let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
func pct(_ q: Double) -> Double { lat.isEmpty ? .nan : lat[min(lat.count - 1, Int(Double(lat.count) * q))] }
print(String(format: "target %.0f/s achieved %.0f/s delivered %d/%d refused %d p50 %.1f ms p99 %.1f ms max %.1f ms ceiling %.0f/s (ratio %.2f)",
             rate, Double(delivered) / secs, delivered, total, failures.load(ordering: .relaxed), pct(0.5), pct(0.99),
             lat.last ?? .nan, max(ceilingBefore, ceilingAfter), Double(delivered) / secs / max(ceilingBefore, ceilingAfter)))
for b in backends { await b.close() }
await server?.stop()
await engine.close()
