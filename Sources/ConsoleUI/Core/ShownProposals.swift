import GovernanceAPI

/// The proposals table as shown: newest first, filtered. Without a filter it is a view of the snapshot's
/// array, so a frame copies none of a thousand proposals; with one, it holds the positions that match.
public struct ShownProposals: RandomAccessCollection, Sendable {
    let all: [ProposalSummary]
    /// Positions in `all`, newest first; nil when no filter applies.
    let matching: [Int]?

    init(_ all: [ProposalSummary], filter: String) {
        self.all = all
        guard !filter.isEmpty else { matching = nil; return }
        let f = filter.lowercased()
        matching = all.indices.reversed().filter { i in
            let p = all[i]
            return [String(p.id), p.operation, p.target, p.status, p.proposer, p.summary].contains { $0.lowercased().contains(f) }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { matching?.count ?? all.count }
    public subscript(i: Int) -> ProposalSummary { all[position(i)] }

    /// Where the `i`th shown proposal is in the snapshot's array.
    func position(_ i: Int) -> Int { matching?[i] ?? all.count - 1 - i }

    /// The row of proposal `id`, comparing ids only.
    func row(of id: UInt64) -> Int? {
        guard let matching else { return all.lastIndex { $0.id == id }.map { all.count - 1 - $0 } }
        return matching.firstIndex { all[$0].id == id }
    }
}
