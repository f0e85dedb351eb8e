import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import Governance

/// What `govconsole verify` found: every check it made, and every problem.
public struct AuditReport: Sendable, Hashable {
    public var height: UInt64 = 0
    /// The root of the state the audit rebuilt, at `height`; nil when it found a problem, since a block
    /// that failed part-way leaves no state worth naming.
    public var stateRoot: Hash256?
    public var checked: [String: UInt64] = [:]
    public var problems: [String] = []
    /// What follows the last whole record, when something does: a record a writer is appending right
    /// now, or one a crash cut short (the writer cuts it back when it next opens). Not audited, and not
    /// a problem.
    public var unfinished: String?
    public var ok: Bool { problems.isEmpty }
}

/// A full, read-only audit of a ledger: every frame, the hash chain, every block and transaction
/// signature, every nonce, the re-execution of every block from genesis (which must reproduce each
/// stored receipt, the results root and every checkpoint's state root), and the governance invariants
/// over the recorded events.
/// It takes no lock and writes nothing, so it runs beside a service writing the same ledger: the log is
/// append-only, so the bytes up to the end it saw when it started are final, and it audits those.
public enum LedgerAudit {
    public static func run(directory: String) throws(LedgerError) -> AuditReport {
        guard Chain.exists(at: directory) else { throw .missing(directory: directory) }
        let file = try LedgerFile(path: Chain.ledgerPath(directory), readOnly: true)
        var report = AuditReport()
        func count(_ key: String, _ n: Int = 1) { report.checked[key, default: 0] += UInt64(n) }

        let index: LedgerFile.Index
        do { index = try file.index() } catch {
            report.problems.append("\(error)")
            return report
        }
        report.unfinished = index.tail
        guard let first = index.frames.first else {
            report.problems.append("the ledger has no whole genesis block")
            return report
        }
        let runtime = ContractRuntime()
        var invariants = Invariants()
        var state: ChainState
        var format: UInt8
        var due: CheckpointRoot?
        do {
            let genesis = try file.block(first, height: 0)
            state = try BlockVerifier.genesis(genesis)
            format = genesis.header.format
            count("frames"); count("blocks"); count("signatures")
        } catch {
            report.problems.append("genesis: \(error)")
            return report
        }
        for (i, frame) in index.frames.enumerated().dropFirst() {
            count("frames")
            do {
                let block = try file.block(frame, height: i)
                try BlockVerifier.replay(block, after: format, onto: &state, due: &due, runtime: runtime)
                format = block.header.format
                count("blocks")
                count("signatures", 1 + block.transactions.count)
                count("transactions", block.transactions.count)
                count("nonces", block.transactions.count)
                if BlockHeader.isCheckpoint(block.height) { count("state roots") }
                count("receipts", block.receipts.count)
                count("events", block.events.count)
                report.problems += invariants.check(block)
            } catch {
                // Later blocks build on this one's state, so the audit cannot go past it.
                report.problems.append("\(error)")
                break
            }
        }
        report.height = state.height
        report.stateRoot = report.ok ? state.root : nil
        report.checked["invariants"] = invariants.checks
        return report
    }

    /// Governance promises checked over the recorded events, block by block.
    struct Invariants {
        var passed: Set<UInt64> = []
        var consumed: Set<UInt64> = []
        var electorate: [UInt64: Set<String>] = [:]
        var checks: UInt64 = 0

        mutating func check(_ block: Block) -> [String] {
            var problems: [String] = []
            for e in block.events {
                guard case let .governance(g) = e.event else { continue }
                switch g {
                case let .voteRequested(p, voter, _, _):
                    electorate[p, default: []].insert(voter)
                case let .voteCast(p, voter, _, _, _):
                    checks += 1
                    if electorate[p]?.contains(voter) != true {
                        problems.append("height \(block.height): \(voter) voted on proposal \(p) from outside its snapshotted electorate")
                    }
                case let .proposalPassed(p):
                    passed.insert(p)
                case let .permissionConsumed(p, _):
                    checks += 1
                    if !consumed.insert(p).inserted {
                        problems.append("height \(block.height): the permission of proposal \(p) was used twice")
                    }
                case let .operationExecuted(p, _, _):
                    checks += 1
                    if !passed.contains(p) {
                        problems.append("height \(block.height): proposal \(p) was executed without having passed")
                    }
                default:
                    break
                }
            }
            return problems
        }
    }
}
