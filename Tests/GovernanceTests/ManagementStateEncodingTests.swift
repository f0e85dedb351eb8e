import ChainPrimitives
@testable import Governance
import Testing

/// The state decoder accepts only what the encoder writes, so a snapshot's bytes that decode re-encode
/// to themselves (the fuzz tests check this at random; these pin the cases it found).
@Suite struct ManagementStateEncodingTests {
    let alice = Member(name: "alice", role: .voter, weight: 1, publicKey: SigningKey().publicKey)

    /// The bytes of `state` with `electorates` written in place of its empty list of electorates.
    private func withElectorates(_ state: ManagementState, _ electorates: [[Member]]) -> [UInt8] {
        let encoded = state.encoded
        var head = ByteWriter()
        head.encode(state.policy)
        head.map(state.members) { $0.encode($1) }
        let cut = head.bytes.count
        var list = ByteWriter()
        list.array(electorates) { w, seats in
            w.array(seats) { w, m in w.string(m.name); w.raw(m.publicKey.bytes); w.u64(m.weight) }
        }
        return Array(encoded[..<cut]) + list.bytes + Array(encoded[(cut + 4)...])
    }

    @Test func theSplicedBytesAreTheStateItselfWithNoElectorate() throws {
        let state = ManagementState(policy: .default, members: [alice])
        #expect(withElectorates(state, []) == state.encoded)
        #expect(try ManagementState.decode(withElectorates(state, [])).encoded == state.encoded)
    }

    /// Found by the fuzz seed 61456828: one electorate, no proposal. It decoded, and re-encoded without it.
    @Test func anElectorateNoProposalRefersToIsRefused() {
        let state = ManagementState(policy: .default, members: [alice])
        #expect(throws: DecodingFailure.self) { _ = try ManagementState.decode(withElectorates(state, [[alice]])) }
    }
}
