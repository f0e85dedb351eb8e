import ChainPrimitives
import Foundation

// The two views every vote's reply carries, in the chain's binary codec: the service sends a vote's
// reply in binary (see `Wire+Binary`), since coding it as JSON cost about as much as verifying the vote.

extension ProposalSummary: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u64(id); w.string(operation); w.string(target); w.string(summary); w.string(status); w.string(proposer)
        w.date(submitted); w.date(deadline)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        id = try r.u64()
        operation = try r.string(); target = try r.string(); summary = try r.string(); status = try r.string()
        proposer = try r.string()
        submitted = try r.date(); deadline = try r.date()
    }
}

extension TallyView: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.u64(approve); w.u64(reject); w.u64(abstain); w.u64(voted); w.u64(total)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        self.init(approve: try r.u64(), reject: try r.u64(), abstain: try r.u64(), voted: try r.u64(), total: try r.u64())
    }
}

extension ByteWriter {
    /// A date exactly, as the bits of its offset from the reference date: it comes back equal.
    mutating func date(_ d: Date) { u64(d.timeIntervalSinceReferenceDate.bitPattern) }
}

extension ByteReader {
    mutating func date() throws(DecodingFailure) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(bitPattern: try u64()))
    }
}
