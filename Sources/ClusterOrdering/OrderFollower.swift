import ChainModel
import EmbeddedChain
import EtcdClient
import Logging

/// Hands every entry of the order to the chain, in order, from the first it has not taken: what is in
/// etcd already by range, then what comes next by watch. Any break (a member killed, a compaction, an
/// entry written out of turn by hand) ends in reading by range again from the next position, so no
/// entry is missed or handed over twice.
struct OrderFollower: Sendable {
    let client: EtcdClient
    let keys: OrderKeys
    let chain: Chain
    let logger: Logger

    func run() async {
        var next = await chain.orderPosition + 1
        // Said once when etcd goes away and once when it is back, not on every retry.
        var lost: String?
        while !Task.isCancelled {
            let revision: Int64
            do {
                revision = try await catchUp(from: &next)
            } catch {
                if lost == nil, !Task.isCancelled {
                    logger.warning("lost etcd (\(error)); reads go on from the local ledger, writes are refused until it answers")
                }
                lost = "\(error)"
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            if lost != nil {
                logger.notice("etcd answers again; following the order from position \(next)")
                lost = nil
            }
            do {
                try await watch(from: revision + 1, next: &next)
            } catch {
                // A member went away or an entry came out of turn: read by range again, from another member.
                logger.debug("the watch ended (\(error)); reading the order again from position \(next)")
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Takes every entry from `next` on that etcd holds now, up to the first gap; returns the revision
    /// the reads saw, where the watch starts.
    private func catchUp(from next: inout UInt64) async throws -> Int64 {
        while true {
            let page = try await client.range(from: keys.entry(next), to: EtcdClient.prefixEnd(keys.log), limit: 64)
            var contiguous = true
            for kv in page.kvs {
                guard let position = keys.position(of: kv.key), position == next else { contiguous = false; break }
                await take(kv.value, at: position)
                next += 1
            }
            if !contiguous || !page.more { return page.revision }
        }
    }

    /// Takes new entries as etcd reports them. An entry past the next position (written out of turn)
    /// ends the watch: the range read after it takes what is contiguous.
    private func watch(from revision: Int64, next: inout UInt64) async throws {
        for try await events in client.watch(prefix: keys.log, fromRevision: revision) {
            for event in events where !event.isDelete {
                guard let position = keys.position(of: event.key), position >= next else { continue }
                guard position == next else { return }
                await take(event.value, at: position)
                next += 1
            }
        }
    }

    private func take(_ bytes: [UInt8], at position: UInt64) async {
        let outcome = await chain.accept(entry: bytes, at: position)
        switch outcome {
        case .refused(let reason): logger.warning("refused entry \(position) of the order: \(reason)")
        case .diverged(let reason): logger.critical("\(reason)")
        case .applied, .alreadyTaken: break
        }
    }
}
