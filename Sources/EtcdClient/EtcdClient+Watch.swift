import AsyncHTTPClient
import Foundation
import NIOCore
import NIOExtras
import NIOFoundationCompat

extension EtcdClient {
    /// The longest line of a watch stream: one response may carry many events of history.
    static let maxWatchLineBytes = 64 << 20

    /// Every change to keys under `prefix` from `fromRevision` on (inclusive): the history first, then live
    /// changes, in revision order, each element the events of one response.
    ///
    /// The first endpoint that accepts the watch serves it to the end. The stream throws `compacted` when
    /// `fromRevision` is older than etcd keeps, and `watchLost` when the connection breaks; resuming from
    /// the last revision seen + 1 (on another endpoint) is the caller's job. Note that a member cut off from
    /// its quorum keeps the watch open and silent: check `status()` to tell.
    public func watch(prefix: [UInt8], fromRevision: Int64) -> AsyncThrowingStream<[WatchEvent], any Error> {
        let request = WatchRequest(createRequest: .init(
            key: Data(prefix), rangeEnd: Data(Self.prefixEnd(prefix)), startRevision: EtcdNumber(fromRevision)
        ))
        return AsyncThrowingStream { continuation in
            let task = Task {
                do throws(EtcdError) {
                    try await self.follow(request, into: continuation)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Opens the watch on the first endpoint that accepts it and yields its events until it fails.
    func follow(_ request: WatchRequest, into continuation: AsyncThrowingStream<[WatchEvent], any Error>.Continuation) async throws(EtcdError) {
        let (endpoint, response) = try await openWatch(Self.encode(request))
        do {
            for try await line in response.body.decode(using: LineBasedFrameDecoder(), maximumBufferSize: Self.maxWatchLineBytes) {
                if let events = try Self.events(in: line) { continuation.yield(events) }
            }
        } catch let error as EtcdError {
            throw error  // returning closes the HTTP stream, which etcd leaves open after a cancel
        } catch {
            if Task.isCancelled { throw .cancelled }
            throw .watchLost(endpoint: endpoint, reason: "\(error)")
        }
        throw .watchLost(endpoint: endpoint, reason: "the stream ended")
    }

    /// The response head of a watch, from the first endpoint (from the preferred one on) that accepts it.
    func openWatch(_ body: [UInt8]) async throws(EtcdError) -> (String, HTTPClientResponse) {
        let start = preferred.withLock { $0 }
        var unreachable: [String] = []
        for step in 0..<endpoints.count {
            let endpoint = endpoints[(start + step) % endpoints.count]
            do {
                // The deadline covers only the response head; the stream itself may stay quiet for hours.
                let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
                let response = try await watchHTTP.execute(Self.request(endpoint + "/v3/watch", body), deadline: deadline)
                guard response.status == .ok else {
                    let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
                    throw Self.refusal(status: response.status, body: bytes, payloadBytes: body.count)
                }
                return (endpoint, response)
            } catch let error as EtcdError {
                throw error
            } catch is CancellationError {
                throw .cancelled
            } catch {
                unreachable.append(endpoint)
            }
        }
        throw .unreachable(endpoints: unreachable)
    }

    /// The events of one line of a watch stream; nil for a line without any (the `created` line, progress).
    static func events(in line: ByteBuffer) throws(EtcdError) -> [WatchEvent]? {
        let parsed = try decode(StreamLine<WatchResponse>.self, from: line)
        if let error = parsed.error { throw .server(code: error.grpcCode ?? -1, message: error.message ?? "watch failed") }
        guard let result = parsed.result else { throw .malformedResponse("a watch line with neither result nor error") }
        if result.canceled == true {
            if let compacted = result.compactRevision, compacted.value > 0 { throw .compacted(revision: compacted.value) }
            throw .server(code: -1, message: "watch canceled: \(result.cancelReason ?? "no reason given")")
        }
        guard let events = result.events, !events.isEmpty else { return nil }
        return events.map { event in
            let kv = event.kv.map(KeyValue.init)
            return WatchEvent(
                key: kv?.key ?? [], value: kv?.value ?? [], modRevision: kv?.modRevision ?? 0,
                createRevision: kv?.createRevision ?? 0, isDelete: event.type == "DELETE"
            )
        }
    }
}
