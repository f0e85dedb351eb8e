import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOFoundationCompat

extension EtcdClient {
    /// The largest unary response read; a range of many keys stays well below it.
    static let maxResponseBytes = 256 << 20

    /// POSTs `request` to `path`, trying each endpoint in turn from the preferred one, and decodes the answer.
    /// `payloadBytes` is what the request carries (key and value), for `requestTooLarge`.
    func call<Request: Encodable, Response: Decodable>(
        _ path: String, _ request: Request, payloadBytes: Int? = nil, as _: Response.Type = Response.self
    ) async throws(EtcdError) -> Response {
        let body = try Self.encode(request)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let start = preferred.withLock { $0 }
        var unreachable: [String] = []
        var unavailable: EtcdError?
        for step in 0..<endpoints.count {
            let index = (start + step) % endpoints.count
            do {
                let (status, bytes) = try await post(endpoints[index] + path, body, client: http, deadline: deadline)
                if status == .ok {
                    preferred.withLock { $0 = index }
                    return try Self.decode(Response.self, from: bytes)
                }
                let error = Self.refusal(status: status, body: bytes, payloadBytes: payloadBytes ?? body.count)
                // A member without a leader may be the one cut off: another may still serve the call.
                if case .unavailable = error { unavailable = error; continue }
                preferred.withLock { $0 = index }
                throw error
            } catch let error as EtcdError {
                throw error
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                throw unavailable ?? .unavailable("no etcd member answered within \(configuration.requestTimeout)")
            } catch let error as HTTPClientError where error == .cancelled {
                throw .cancelled
            } catch is CancellationError {
                throw .cancelled
            } catch {
                unreachable.append(endpoints[index])  // refused, reset, or cut mid-answer: try the next member
            }
        }
        throw unavailable ?? .unreachable(endpoints: unreachable)
    }

    /// One POST to one URL, its whole answer read.
    func post(_ url: String, _ body: [UInt8], client: HTTPClient, deadline: NIODeadline) async throws -> (HTTPResponseStatus, ByteBuffer) {
        let response = try await client.execute(Self.request(url, body), deadline: deadline)
        return (response.status, try await response.body.collect(upTo: Self.maxResponseBytes))
    }

    static func request(_ url: String, _ body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    static func encode<Request: Encodable>(_ request: Request) throws(EtcdError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(request))
        } catch {
            throw .malformedResponse("could not encode \(Request.self): \(error)")
        }
    }

    static func decode<Response: Decodable>(_: Response.Type, from bytes: ByteBuffer) throws(EtcdError) -> Response {
        do {
            return try JSONDecoder().decode(Response.self, from: bytes)
        } catch {
            let text = String(buffer: bytes).prefix(200)
            throw .malformedResponse("\(Response.self) from \(text.debugDescription): \(error)")
        }
    }

    /// The named error for a non-200 answer, read from etcd's `{"error","message","code"}` body.
    static func refusal(status: HTTPResponseStatus, body: ByteBuffer, payloadBytes: Int) -> EtcdError {
        let parsed = try? JSONDecoder().decode(ErrorResponse.self, from: body)
        let message = parsed?.message ?? parsed?.error ?? "HTTP \(status.code) \(String(buffer: body).prefix(200))"
        let code = parsed?.code ?? -1
        if status == .serviceUnavailable || code == 14 { return .unavailable(message) }
        if message.contains("request is too large") || message.contains("larger than max") || status == .payloadTooLarge {
            return .requestTooLarge(bytes: payloadBytes)
        }
        return .server(code: code, message: message)
    }
}
