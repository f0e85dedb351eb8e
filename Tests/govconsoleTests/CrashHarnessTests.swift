import ChainModel
import ChainPrimitives
import DurableStorage
import EmbeddedChain
import Foundation
import Testing

/// Kills a writer process with SIGKILL at random moments and checks, after every kill, that nothing it
/// acknowledged was lost and that the ledger reopens whole: torn tails cut back, hash chain, signatures
/// and the replay from genesis all sound (Chain.open and LedgerAudit).
///
/// `GOVCONSOLE_CRASH_KILLS` sets the number of kills (default 50; the long mode is 1000), and
/// `GOVCONSOLE_CRASH_SEED` repeats a run's kill moments.
@Suite("Crash safety")
struct CrashHarnessTests {
    /// Kills per data directory: each directory's ledger sees several kills in a row, torn tails and all,
    /// and a fresh one keeps replay time flat over a long run.
    static let killsPerLedger = 10

    @Test("SIGKILL at random moments loses no acknowledged transaction")
    func killsLoseNothing() async throws {
        let env = ProcessInfo.processInfo.environment
        let kills = env["GOVCONSOLE_CRASH_KILLS"].flatMap(Int.init) ?? 50
        let seed = env["GOVCONSOLE_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var rng = SplitMix64(seed: seed)
        let writer = try Sandbox.executable("crashwriter")
        var totals = Totals()

        var done = 0
        while done < kills {
            let sandbox = try Sandbox()
            let data = sandbox.data
            var acknowledged = Set<String>()
            let killsHere = min(Self.killsPerLedger, kills - done)
            for k in 0..<killsHere {
                let plan = KillPlan.draw(&rng, last: killsHere == Self.killsPerLedger && k == killsHere - 1)
                let run = try await killedRun(writer, data: data, plan: plan)
                #expect(run.errors.isEmpty, "writer failed (seed \(seed)): \(run.errors)")
                acknowledged.formUnion(run.acks)
                totals.acks += run.acks.count
                if run.acks.isEmpty { totals.beforeFirstAck += 1 }

                // Reopening repairs a torn tail, replays every block (reproducing every receipt) and
                // verifies the hash chain and every signature; it throws on anything else.
                guard Chain.exists(at: sandbox.data + "/ledger") else { continue }
                let chain = try Chain.open(at: sandbox.data + "/ledger", keystore: Keystore(directory: sandbox.data + "/keys"))
                let blocks = try await chain.blocks()
                let stored = Set(blocks.flatMap { $0.transactions.map(\.id.hex) })
                let reopenedRoot = await chain.state.root
                if !chain.warnings.isEmpty { totals.tornTails += 1 }
                await chain.close()
                let lost = acknowledged.subtracting(stored)
                #expect(lost.isEmpty, "lost \(lost.count) acknowledged transactions (seed \(seed)), e.g. \(lost.first ?? "")")
                totals.blocks = max(totals.blocks, blocks.count)

                // The read-only audit must find the repaired ledger sound, invariants included.
                let report = try LedgerAudit.run(directory: sandbox.data + "/ledger")
                #expect(report.ok, "audit after a kill (seed \(seed)): \(report.problems)")
                // The state the chain reopened with is the state a replay from genesis builds.
                #expect(report.stateRoot == reopenedRoot, "reopened state differs from a replay from genesis (seed \(seed))")
                if !lost.isEmpty || !report.ok { return }
            }
            done += min(Self.killsPerLedger, kills - done)
        }
        print("crash harness: \(kills) kills, seed \(seed), \(totals.acks) acknowledged transactions all present, "
            + "\(totals.tornTails) torn tails cut back, \(totals.beforeFirstAck) kills before the first ack, longest ledger \(totals.blocks) blocks")
        // A harness whose kills never land while the writer writes would prove nothing.
        #expect(totals.acks > kills, "the writer acknowledged only \(totals.acks) transactions over \(kills) kills")
        // Kills must also land on ledgers past a state-root checkpoint and a periodic snapshot, or those
        // go untested.
        #expect(kills < Self.killsPerLedger || totals.blocks > Int(Chain.snapshotEveryBlocks),
                "no ledger passed height \(Chain.snapshotEveryBlocks) (longest \(totals.blocks) blocks)")
    }

    @Test("the writer refuses a usage error before touching its directory")
    func writerRefusesBadArguments() async throws {
        let sandbox = try Sandbox()
        let writer = try Sandbox.executable("crashwriter").path
        let err = sandbox.root.appendingPathComponent("writer.err").path
        for args in [["--seed", "7"], ["--data", sandbox.data, "--seed", "x"]] {
            let status = try await Child(writer, args, stdout: "/dev/null", stderr: err).wait()
            let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            #expect(status == 64 && stderr.contains("Usage: crashwriter --data <data> [--seed <seed>]"), "\(args): \(status) \(stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.data))
    }

    struct Totals {
        var acks = 0
        var tornTails = 0
        var beforeFirstAck = 0
        var blocks = 0
    }

    struct Run {
        var acks: [String] = []
        var errors = ""
    }

    /// When a kill lands, by the writer's progress rather than by the clock, so that a slower disk or a
    /// busier machine changes how long a run takes, never what it covers.
    struct KillPlan {
        enum Moment {
            /// At a random moment of start-up (opening, replay, tail repair). Only a delay can aim inside
            /// start-up; nothing asserted depends on how far the writer got before it.
            case startup(milliseconds: Int)
            /// Once the writer has acknowledged this many transactions in this run.
            case acknowledged(Int)
            /// Once an acknowledged transaction reports the ledger at this height or above.
            case height(UInt64)
        }
        let writerSeed: UInt64
        let moment: Moment

        /// One kill in ten lands in start-up, the rest after 1 to 100 acknowledgements. The last kill of a
        /// ledger waits until the ledger has passed a periodic snapshot (every 1,024 blocks) and a state-root
        /// checkpoint (every 128), so every full ledger exercises them, however fast the machine writes.
        static func draw(_ rng: inout SplitMix64, last: Bool) -> KillPlan {
            let writerSeed = rng.next() % 1_000_000
            if last {
                let past = Chain.snapshotEveryBlocks + 1 + rng.next() % BlockHeader.stateRootInterval
                return KillPlan(writerSeed: writerSeed, moment: .height(past))
            }
            if rng.next() % 10 == 0 { return KillPlan(writerSeed: writerSeed, moment: .startup(milliseconds: Int(rng.next() % 300))) }
            return KillPlan(writerSeed: writerSeed, moment: .acknowledged(1 + Int(rng.next() % 100)))
        }

        /// Whether the acknowledgements read so far reach the planned moment.
        func reached(acks: Int, height: UInt64) -> Bool {
            switch moment {
            case .startup: false
            case let .acknowledged(n): acks >= n
            case let .height(h): height >= h
            }
        }
    }

    /// How long the writer may go without acknowledging anything before the run is called stuck. Generous:
    /// a machine three times slower than ours, with every suite running beside it, still acknowledges far
    /// more often than this.
    static let stallLimit: TimeInterval = 180

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
