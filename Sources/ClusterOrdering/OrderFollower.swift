import ChainModel
import EmbeddedChain
import EtcdClient
import Logging

/// Hands every entry of the order to the chain, in order, from the first it has not taken: what is in
/// etcd already by range, then what comes next by watch. Any break (a member killed, a compaction, an
/// entry written out of turn by hand) ends in reading by range again from the next position, so no
/// entry is missed or handed over twice. Entries etcd no longer keeps (the sealer trims the order) are
/// replaced by their blocks, fetched from a peer engine and checked as entries are.
struct OrderFollower: Sendable {
    let client: EtcdClient
    let keys: OrderKeys
    let chain: Chain
    /// The node this engine runs, which signs its requests to peers.
    let node: String
    let logger: Logger

    func run() async {
        var next = await chain.orderPosition + 1
        // Said once when etcd goes away and once when it is back, not on every retry.
        var lost: String?
        var stuck: String?
        var startChecked = false
        while !Task.isCancelled {
            let revision: Int64
            do {
                if !startChecked {
                    try await checkStart(&next)
                    startChecked = true
                }
                revision = try await catchUp(from: &next)
            } catch let error as CatchUpError {
                if stuck != error.description { logger.warning("\(error.description); trying again") }
                stuck = error.description
                try? await Task.sleep(for: .seconds(1))
                continue
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
            stuck = nil
            do {
                try await watch(from: revision + 1, next: &next)
            } catch {
                // A member went away or an entry came out of turn: read by range again, from another member.
                logger.debug("the watch ended (\(error)); reading the order again from position \(next)")
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The position saved beside the ledger can be ahead of it: a ledger restored from a backup older
    /// than the position file. Read on its own, the order would go on from there with blocks this chain
    /// cannot take next. If the last entry taken holds a block above this chain's head, the order is
    /// read again from its start: the blocks already taken are passed over, and those whose entries
    /// etcd no longer keeps come from a peer.
    private func checkStart(_ next: inout UInt64) async throws {
        let last = next - 1
        guard last > 0, let kv = try await client.get(keys.entry(last)), let block = try? Block.decode(kv.value) else { return }
        let height = chain.committed.height
        guard block.height > height, await chain.rereadOrder() else { return }
        logger.warning("the order position saved beside the ledger (\(last), block \(block.height)) is ahead of the ledger (block \(height)), restored from an older copy?; reading the order again from its start")
        next = 1
    }

    /// Takes every entry from `next` on that etcd holds now, up to the first gap; returns the revision
    /// the reads saw, where the watch starts.
    private func catchUp(from next: inout UInt64) async throws -> Int64 {
        while true {
            let page = try await client.range(from: keys.entry(next), to: EtcdClient.prefixEnd(keys.log), limit: 64)
            // The next entry is gone and later ones are there: trimmed (or deleted by hand). The blocks it
            // and the others missing held come from a peer, up to the one the first entry kept holds.
            if let first = page.kvs.first, let kept = keys.position(of: first.key), kept > next {
                let below = (try? Block.decode(first.value)).map { $0.height - 1 }
                try await fetchFromPeers(upTo: below, missing: next..<kept)
                await chain.skipOrder(to: kept - 1)
                next = kept
                continue
            }
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

    /// Takes blocks from peer engines until the chain's height reaches `target` (or, when the first kept
    /// entry is not a block to go by, the highest height a peer announces).
    private func fetchFromPeers(upTo target: UInt64?, missing: Range<UInt64>) async throws {
        let peers = try await EnginePresence.all(client, keys: keys).filter { $0.node != node && $0.peerHost != nil && $0.peerPort != nil }
            .sorted { $0.height > $1.height }
        let goal = target ?? peers.first?.height ?? 0
        var tried: [String] = []
        for peer in peers where chain.committed.height < goal {
            guard let host = peer.peerHost, let port = peer.peerPort else { continue }
            let link = PeerClient(sealer: peer.node, host: host, port: port, genesis: chain.genesisHash, node: node,
                                  sign: { [chain, node] in chain.sign($0, as: node) ?? [] })
            var took = 0
            fetching: while chain.committed.height < goal {
                let from = chain.committed.height + 1
                guard case let .success(blocks) = await link.blocks(from: from, limit: PeerRequest.maxBlocks), !blocks.isEmpty else { break }
                for bytes in blocks {
                    switch await chain.acceptFromPeer(bytes) {
                    case .applied: took += 1
                    case .alreadyTaken: continue
                    case let .refused(reason), let .diverged(reason):
                        logger.warning("refused a block \(peer.node) handed over: \(reason)")
                        break fetching
                    }
                }
            }
            if took > 0 { logger.notice("took \(took) blocks from \(peer.node): etcd no longer keeps the order's entries \(missing.lowerBound)–\(missing.upperBound - 1)") }
            tried.append(peer.node)
        }
        let height = chain.committed.height
        guard height >= goal else {
            throw CatchUpError(description: "etcd no longer keeps the order's entries \(missing.lowerBound)–\(missing.upperBound - 1), and no engine handed over blocks \(height + 1)–\(goal)" + (tried.isEmpty ? " (none announces a peer link)" : " (asked \(tried.joined(separator: ", ")))"))
        }
    }

    struct CatchUpError: Error, CustomStringConvertible { let description: String }

    private func take(_ bytes: [UInt8], at position: UInt64) async {
        let outcome = await chain.accept(entry: bytes, at: position)
        switch outcome {
        case .refused(let reason): logger.warning("refused entry \(position) of the order: \(reason)")
        case .diverged(let reason): logger.critical("\(reason)")
        case .applied, .alreadyTaken: break
        }
    }
}
