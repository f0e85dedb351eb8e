import ChainPrimitives
import DequeModule

/// The ids of the transactions in the last blocks an engine of a cluster took, and each one's height.
/// The same transaction can come up for sealing after it went into a block (a forwarded batch whose
/// answer was lost, sent again; a batch that reached two sealers while the seat changed hands): it is
/// answered from that block instead of being refused as a replay of its own nonce. Lives inside the
/// chain actor.
struct RecentlySealed {
    /// Ids kept, oldest blocks dropped first.
    static let capacity = 100_000

    private var heights: [Hash256: UInt64] = [:]
    private var blocks = Deque<(height: UInt64, ids: [Hash256])>()
    private var count = 0

    mutating func record(_ ids: [Hash256], at height: UInt64) {
        guard !ids.isEmpty else { return }
        for id in ids { heights[id] = height }
        blocks.append((height, ids))
        count += ids.count
        while count > Self.capacity, blocks.count > 1 {
            let oldest = blocks.removeFirst()
            for id in oldest.ids where heights[id] == oldest.height { heights[id] = nil }
            count -= oldest.ids.count
        }
    }

    /// The height of the block that holds transaction `id`, if it is among the recent ones.
    func height(of id: Hash256) -> UInt64? { heights[id] }
}
