@testable import EtcdClient
import NIOCore
import Testing

/// The gateway's quirks, from lines it was seen to send: strings for 64-bit numbers, omitted defaults.
@Suite struct WireTests {
    @Test func aWatchCancelledForCompactionThrowsCompacted() {
        let line = ByteBuffer(string: #"{"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"5"}}"#)
        #expect(throws: EtcdError.compacted(revision: 5)) { try EtcdClient.events(in: line) }
    }

    @Test func aPutEventHasNoTypeAndADeleteHasNoValue() throws {
        let line = ByteBuffer(string: #"{"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"bG9nLzM=","create_revision":"7","mod_revision":"8","version":"2","value":"dGhyZWU="}},{"type":"DELETE","kv":{"key":"bG9nLzM=","mod_revision":"9"}}]}}"#)
        let events = try #require(try EtcdClient.events(in: line))
        #expect(events == [
            WatchEvent(key: bytes("log/3"), value: bytes("three"), modRevision: 8, createRevision: 7, isDelete: false),
            WatchEvent(key: bytes("log/3"), value: [], modRevision: 9, createRevision: 0, isDelete: true),
        ])
        #expect(try EtcdClient.events(in: ByteBuffer(string: #"{"result":{"header":{"revision":"6"},"created":true}}"#)) == nil)
    }

    @Test func idsPastTwoToThe53KeepEveryDigit() throws {
        let body = ByteBuffer(string: #"{"header":{"member_id":"12652192717642471002","revision":"18"},"leader":"15966809111680574877","dbSize":20480}"#)
        let status = try EtcdClient.decode(StatusResponse.self, from: body)
        #expect(status.header?.memberID?.value == 12_652_192_717_642_471_002)
        #expect(status.leader?.value == 15_966_809_111_680_574_877)
        #expect(status.dbSize?.value == 20480)
        #expect(throws: EtcdError.self) { try EtcdClient.decode(StatusResponse.self, from: ByteBuffer(string: #"{"leader":"x"}"#)) }
    }
}
