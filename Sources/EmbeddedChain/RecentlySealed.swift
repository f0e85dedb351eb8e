import ChainPrimitives
import Synchronization

/// The ids of the transactions in the last blocks an engine of a cluster took, and each one's height,
/// readable off the chain's thread. A batch forwarded to the sealer whose answer was lost is sent
/// again; a transaction of it that the sealer had sealed the first time is answered with its height
/// instead of being refused as a replay of its own nonce.
public final class RecentlySealed: Sendable {
    /// Ids kept, oldest blocks dropped first.
    static let capacity = 100_000

    private let state = Mutex<(heights: [Hash256: UInt64], blocks: [(height: UInt64, ids: [Hash256])], count: Int)>(([:], [], 0))

    func record(_ ids: [Hash256], at height: UInt64) {
        guard !ids.isEmpty else { return }
        state.withLock { s in
            for id in ids { s.heights[id] = height }
            s.blocks.append((height, ids))
            s.count += ids.count
            while s.count > Self.capacity, s.blocks.count > 1 {
                let oldest = s.blocks.removeFirst()
                for id in oldest.ids where s.heights[id] == oldest.height { s.heights[id] = nil }
                s.count -= oldest.ids.count
            }
        }
    }

    /// The height of the block that holds transaction `id`, if it is among the recent ones.
    public func height(of id: Hash256) -> UInt64? {
        state.withLock { $0.heights[id] }
    }
}
