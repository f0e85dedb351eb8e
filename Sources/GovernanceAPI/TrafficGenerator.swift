import ChainModel
import ChainPrimitives
import DurableStorage
import Foundation
import Governance

/// Shares of traffic per lane, like `prerelease:5,gray:15,production:80`.
public struct TrafficMix: Sendable, Hashable {
    public let weights: [Lane: UInt64]

    public static let standard = TrafficMix(weights: [.prerelease: 5, .gray: 15, .production: 80])

    public init(weights: [Lane: UInt64]) { self.weights = weights }

    public init?(parsing text: String) {
        var weights: [Lane: UInt64] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: ":", omittingEmptySubsequences: false)
            guard kv.count == 2, let lane = Lane(rawValue: String(kv[0]).trimmingCharacters(in: .whitespaces)),
                  let w = UInt64(kv[1].trimmingCharacters(in: .whitespaces)), weights[lane] == nil, w <= 1_000_000 else { return nil }
            weights[lane] = w
        }
        guard weights.values.reduce(0, +) > 0 else { return nil }
        self.weights = weights
    }

    func lane(_ roll: UInt64) -> Lane {
        let total = weights.values.reduce(0, +)
        var r = roll % total
        for lane in Lane.allCases {
            let w = weights[lane] ?? 0
            if r < w { return lane }
            r -= w
        }
        return .production
    }
}

/// What a run of generated traffic did, per lane and version and per node logic.
public struct TrafficSummary: Encodable, Sendable {
    public struct VersionCount: Encodable, Sendable {
        public let version: String
        public var calls: UInt64 = 0
        public var ok: UInt64 = 0
        public var failed: UInt64 = 0
        public var fuel: UInt64 = 0
        public var meanFuel: UInt64 { calls == 0 ? 0 : fuel / calls }

        // Fuel is summed while counting; the summary reports its mean.
        enum CodingKeys: String, CodingKey { case version, calls, ok, failed, meanFuel }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(version, forKey: .version); try c.encode(calls, forKey: .calls); try c.encode(ok, forKey: .ok)
            try c.encode(failed, forKey: .failed); try c.encode(meanFuel, forKey: .meanFuel)
        }
        init(version: String) { self.version = version }
    }

    public struct LaneCount: Encodable, Sendable {
        public let lane: String
        public var calls: UInt64 = 0
        public var ok: UInt64 = 0
        public var failed: UInt64 = 0
        public var versions: [VersionCount] = []
    }

    public struct LogicCount: Encodable, Sendable {
        public let logic: String
        public var calls: UInt64 = 0
        public var failed: UInt64 = 0
    }

    public var seconds: Double = 0
    public var sent: UInt64 = 0
    public var committed: UInt64 = 0
    public var ok: UInt64 = 0
    public var failed: UInt64 = 0
    public var refused: UInt64 = 0
    public var perSecond: Double = 0
    public var lanes: [LaneCount] = Lane.allCases.map { LaneCount(lane: $0.rawValue) }
    public var logic: [LogicCount] = []
    /// Reasons of any automatic rollbacks the traffic set off.
    public var rollbacks: [String] = []

    mutating func record(_ receipt: Receipt?, lane: Lane) {
        sent += 1
        guard let receipt, let call = receipt.call else { refused += 1; return }
        committed += 1
        if receipt.ok { ok += 1 } else { failed += 1 }
        let li = lanes.firstIndex { $0.lane == lane.rawValue }!
        lanes[li].calls += 1
        if receipt.ok { lanes[li].ok += 1 } else { lanes[li].failed += 1 }
        if !lanes[li].versions.contains(where: { $0.version == call.version }) {
            lanes[li].versions.append(VersionCount(version: call.version))
            lanes[li].versions.sort { $0.version < $1.version }
        }
        let vi = lanes[li].versions.firstIndex { $0.version == call.version }!
        lanes[li].versions[vi].calls += 1
        lanes[li].versions[vi].fuel += call.fuel
        if receipt.ok { lanes[li].versions[vi].ok += 1 } else { lanes[li].versions[vi].failed += 1 }
        if !logic.contains(where: { $0.logic == receipt.logic }) {
            logic.append(LogicCount(logic: receipt.logic))
            logic.sort { $0.logic < $1.logic }
        }
        let gi = logic.firstIndex { $0.logic == receipt.logic }!
        logic[gi].calls += 1
        if !receipt.ok && receipt.error?.contains("injected fault") == true { logic[gi].failed += 1 }
        for case let .governance(.rollbackTriggered(_, target, true, reason)) in receipt.events {
            rollbacks.append("\(target): \(reason)")
        }
    }
}

extension GovernanceClient {
    /// Sends signed `asset-ledger` calls from every voter whose key this client holds, at `rate` per
    /// second for `duration` milliseconds, or until `calls` calls are sent when that is given, on lanes
    /// drawn from `mix`: transfers between members and balance reads. Each member sends in turn, so its
    /// nonces stay in order; all members send at once. Failed calls are recorded on chain, as real
    /// traffic's would be, and feed the health gates.
    public func traffic(rate: Double, duration: UInt64, calls: UInt64? = nil, mix: TrafficMix = .standard,
                                    contract: String = "asset-ledger", seed: UInt64 = 1) async throws -> TrafficSummary {
        guard rate > 0, rate <= 10_000 else { throw EngineError.invalidTraffic("--rate must be above 0 and at most 10000 calls per second") }
        guard duration >= 100, duration <= 3_600_000 else { throw EngineError.invalidTraffic("--duration must be from 100ms to 1h") }
        if let calls, calls == 0 || calls > 1_000_000 { throw EngineError.invalidTraffic("--calls must be from 1 to 1000000") }
        let voters = try await members().filter { $0.role == Role.voter.rawValue }.map(\.name)
        guard !voters.isEmpty else { throw EngineError.invalidTraffic("there are no voters to send traffic as") }
        let keys = Dictionary(uniqueKeysWithValues: voters.compactMap { name in (try? keystore.load(name)).map { (name, $0) } })
        let senders = voters.filter { keys[$0] != nil }
        guard !senders.isEmpty else {
            throw EngineError.invalidTraffic("this terminal's keystore (\(keystore.directory)) holds no voter's key to send traffic with")
        }
        guard try await routing().contracts.contains(where: { $0.name == contract }) else { throw GovernanceError.unknownContract(contract) }

        // Give every sender something to transfer; setup calls are not counted.
        for sender in senders {
            _ = await sendTraffic(ContractCall(contract: contract, function: "issue", args: ["1000000"]), lane: .production, as: sender, key: keys[sender]!)
        }
        let interval = Duration.seconds(Double(senders.count) / rate)
        let started = ContinuousClock.now
        let end = started + .milliseconds(Int64(duration))
        var summary = await withTaskGroup(of: TrafficSummary.self) { group in
            for (index, sender) in senders.enumerated() {
                group.addTask {
                    var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
                    var part = TrafficSummary()
                    var next = started + interval * Double(index) / Double(senders.count)
                    // With a count, each sender sends its share of it, however long that takes.
                    let quota = calls.map { $0 / UInt64(senders.count) + (UInt64(index) < $0 % UInt64(senders.count) ? 1 : 0) }
                    while (quota.map { part.sent < $0 } ?? (ContinuousClock.now < end)) && !Task.isCancelled {
                        let lane = mix.lane(rng.next())
                        let call: ContractCall
                        if rng.next() % 5 == 0 {
                            call = ContractCall(contract: contract, function: "balance", args: [])
                        } else {
                            let others = voters.filter { $0 != sender }
                            let to = others.isEmpty ? sender : others[Int(rng.next() % UInt64(others.count))]
                            call = ContractCall(contract: contract, function: "transfer", args: [to, String(1 + rng.next() % 10)])
                        }
                        part.record(await self.sendTraffic(call, lane: lane, as: sender, key: keys[sender]!), lane: lane)
                        next = next + interval
                        if next > ContinuousClock.now { try? await Task.sleep(until: next) }
                    }
                    return part
                }
            }
            var total = TrafficSummary()
            for await part in group { total.merge(part) }
            return total
        }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        summary.perSecond = summary.seconds > 0 ? Double(summary.committed) / summary.seconds : 0
        return summary
    }
}

extension TrafficSummary {
    mutating func merge(_ o: TrafficSummary) {
        sent += o.sent; committed += o.committed; ok += o.ok; failed += o.failed; refused += o.refused
        for l in o.lanes {
            let i = lanes.firstIndex { $0.lane == l.lane }!
            lanes[i].calls += l.calls; lanes[i].ok += l.ok; lanes[i].failed += l.failed
            for v in l.versions {
                if let j = lanes[i].versions.firstIndex(where: { $0.version == v.version }) {
                    lanes[i].versions[j].calls += v.calls; lanes[i].versions[j].ok += v.ok
                    lanes[i].versions[j].failed += v.failed; lanes[i].versions[j].fuel += v.fuel
                } else {
                    lanes[i].versions.append(v)
                }
            }
            lanes[i].versions.sort { $0.version < $1.version }
        }
        for g in o.logic {
            if let j = logic.firstIndex(where: { $0.logic == g.logic }) {
                logic[j].calls += g.calls; logic[j].failed += g.failed
            } else {
                logic.append(g)
            }
        }
        logic.sort { $0.logic < $1.logic }
        rollbacks += o.rollbacks
    }
}
