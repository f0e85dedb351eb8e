import EmbeddedChain
import EtcdClient
import Foundation
import Synchronization

/// `BlockOrder` through etcd: the block for position n goes in as `log/n` with one transaction that
/// creates it only if it does not exist and `log/n-1` does. No two blocks can hold one position, no
/// position can be skipped, and whoever asks again for a position gets the block that holds it.
final class EtcdBlockOrder: BlockOrder {
    let client: EtcdClient
    let keys: OrderKeys
    /// How long to keep asking about a block whose placement got no answer before calling it in doubt.
    let patience: Duration

    let maxBlockBytes: Int

    init(client: EtcdClient, keys: OrderKeys, maxEntryBytes: Int, patience: Duration = .seconds(10)) {
        maxBlockBytes = maxEntryBytes
        self.client = client
        self.keys = keys
        self.patience = patience
    }

    func place(_ bytes: [UInt8], at position: UInt64) -> Placement {
        // The chain's thread waits here, as it waits for an fsync; the request runs on the pool and NIO.
        let answer = Answer()
        Task { answer.give(await self.placing(bytes, at: position)) }
        return answer.wait()
    }

    private func placing(_ bytes: [UInt8], at position: UInt64) async -> Placement {
        let deadline = ContinuousClock.now + patience
        var sent = false
        while true {
            do {
                switch try await client.append(keys.entry(position), value: bytes, after: keys.entry(position - 1)) {
                case .created:
                    return .placed
                case let .taken(existing):
                    // Asked again after no answer, our own block may be the one that holds the place.
                    return existing.value == bytes ? .placed : .taken
                case .predecessorMissing:
                    return .unavailable("etcd holds no entry \(position - 1) of the order, which this ledger has taken; the order in etcd was removed or rolled back")
                }
            } catch {
                // Refused by every endpoint before it was sent: nothing can be in etcd.
                if case let .unreachable(endpoints) = error, !sent { return .unavailable("etcd unreachable at \(endpoints.joined(separator: ", "))") }
                if case .requestTooLarge = error { return .unavailable("\(error)") }
                // The request may have gone out and may still commit: ask again, the same way, until one
                // answer says whose block holds the place.
                sent = true
                guard ContinuousClock.now < deadline else {
                    settleInBackground(bytes, at: position)
                    return .inDoubt("\(error)")
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

extension EtcdBlockOrder {
    /// A block in doubt stays in doubt until an entry holds its position. If ours never got there, no
    /// one else may write one for a long time: so the same bytes are offered again, the same way, until
    /// etcd gives an answer; whichever entry then holds the position reaches the chain through the
    /// follower and decides the doubt.
    private func settleInBackground(_ bytes: [UInt8], at position: UInt64) {
        Task {
            while !Task.isCancelled {
                if (try? await client.append(keys.entry(position), value: bytes, after: keys.entry(position - 1))) != nil { return }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

/// One answer handed from a task to a thread that waits for it.
private final class Answer: Sendable {
    private let value = Mutex<Placement?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func give(_ p: Placement) {
        value.withLock { $0 = p }
        ready.signal()
    }

    func wait() -> Placement {
        ready.wait()
        return value.withLock { $0! }
    }
}
