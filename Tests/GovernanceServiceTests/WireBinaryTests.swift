import Foundation
import GovernanceAPI
import NIOCore
@testable import ServiceClient
import Testing

/// A submit and its reply, nearly all of a busy service's traffic, travel in binary and come back equal;
/// every other message stays JSON; a binary frame cut short is refused as malformed.
@Suite struct WireBinaryTests {
    let allocator = ByteBufferAllocator()

    /// A summary as the engine would send it, with text beyond ASCII and dates that are not whole seconds.
    func summary() throws -> ProposalSummary {
        let json = #"{"id":5,"operation":"add-member","target":"zoë","summary":"add-member zoë as voter weight 1 ✓","#
            + #""status":"voting","proposer":"ops","submitted":786000000.123456,"deadline":786086400.654321}"#
        return try JSONDecoder().decode(ProposalSummary.self, from: Data(json.utf8))
    }

    @Test func aSubmitTravelsInBinaryAndComesBackEqual() throws {
        let tx = Data((0..<300).map { UInt8($0 % 251) })
        let frame = try Wire.encode(Wire.ClientMessage.request(id: 42, .submit(tx: tx, since: 7)), into: allocator)
        #expect(Array(frame.readableBytesView.prefix(2)) == [Wire.version, Wire.submitKind])
        guard case let .request(id, .submit(back, since)) = try Wire.decode(Wire.ClientMessage.self, from: frame) else {
            Issue.record("not a submit")
            return
        }
        #expect(id == 42 && back == tx && since == 7)
    }

    @Test func itsReplyTravelsInBinaryAndComesBackEqual() throws {
        let tally = TallyView(approve: 3, reject: 1, abstain: 2, voted: 6, total: 10_000)
        for (proposal, tally) in [(try summary(), tally), (nil, nil)] as [(ProposalSummary?, TallyView?)] {
            let receipt = Data([9, 8, 7, 6])
            let frame = try Wire.encode(Wire.ServerMessage.response(id: 1 << 40, .submitted(receipt: receipt, height: 77, proposal: proposal, tally: tally)),
                                        into: allocator)
            #expect(Array(frame.readableBytesView.prefix(2)) == [Wire.version, Wire.submittedKind])
            guard case let .response(id, .submitted(r, h, p, t)) = try Wire.decode(Wire.ServerMessage.self, from: frame) else {
                Issue.record("not a submitted reply")
                return
            }
            #expect(id == 1 << 40 && r == receipt && h == 77 && p == proposal && t == tally)
        }
    }

    @Test func everythingElseStaysJSON() throws {
        let frame = try Wire.encode(Wire.ClientMessage.request(id: 3, .status), into: allocator)
        #expect(Array(frame.readableBytesView.prefix(2)) == [Wire.version, UInt8(ascii: "{")])
        guard case .request(3, .status) = try Wire.decode(Wire.ClientMessage.self, from: frame) else {
            Issue.record("not a status request")
            return
        }
        let failure = try Wire.encode(Wire.ServerMessage.failure(id: 3, message: "no"), into: allocator)
        #expect(failure.getInteger(at: failure.readerIndex + 1, as: UInt8.self) == UInt8(ascii: "{"))
    }

    @Test func aBinaryFrameCutShortIsRefusedAsMalformed() throws {
        let frame = try Wire.encode(Wire.ServerMessage.response(id: 1, .submitted(receipt: Data([1]), height: 2, proposal: try summary(), tally: nil)),
                                    into: allocator)
        let cut = frame.getSlice(at: frame.readerIndex, length: frame.readableBytes - 5)!
        #expect(throws: WireError.self) { try Wire.decode(Wire.ServerMessage.self, from: cut) }
        let submit = ByteBuffer(bytes: [Wire.version, Wire.submitKind, 0, 0, 0])
        #expect(throws: WireError.self) { try Wire.decode(Wire.ClientMessage.self, from: submit) }
    }
}
