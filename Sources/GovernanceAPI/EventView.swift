import ChainModel
import ChainPrimitives
import Foundation
import Governance

/// An event with its type, where it happened, and its own fields at the top level.
public struct EventView: Codable, Sendable, Hashable {
    /// The typed event; `type`, `proposal` and `fields` are its names for people and `--json`.
    public let event: ChainEvent
    public let type: String
    public let height: UInt64
    public let time: Date
    public let tx: String?
    public let proposal: UInt64?
    public let fields: [Field]

    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: EventValue
    }

    public init(_ e: RecordedEvent) {
        event = e.event
        type = e.event.name
        height = e.height
        time = Date(milliseconds: e.time)
        tx = e.tx?.hex
        proposal = e.event.proposal
        fields = e.event.fields.map { Field(name: $0.0, value: $0.1) }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Set in an encoder's and a decoder's `userInfo` to carry events between processes as the typed
    /// event itself, which the flat form people read (and `--json` prints) cannot be read back into.
    public static let wireFormat = CodingUserInfoKey(rawValue: "govconsole.wire")!

    /// The typed event in its canonical binary form: the receiver gets the very case that was recorded.
    private struct Wire: Codable {
        let height: UInt64
        let time: UInt64
        let tx: String?
        let event: Data
    }

    /// Reads the wire form only; the flat form is for people.
    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        var reader = ByteReader(Array(w.event))
        let event: ChainEvent
        do { event = try ChainEvent(from: &reader) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "event: \(error)"))
        }
        self.init(RecordedEvent(height: w.height, time: w.time, tx: try w.tx.map { hex in
            guard let h = Hash256(hex: hex) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "tx is not a 64-digit hex hash"))
            }
            return h
        }, event: event))
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[Self.wireFormat] != nil {
            var w = ByteWriter()
            event.encode(to: &w)
            try Wire(height: height, time: UInt64((time.timeIntervalSince1970 * 1000).rounded()), tx: tx, event: Data(w.bytes)).encode(to: encoder)
            return
        }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: Key("type"))
        try c.encode(height, forKey: Key("height"))
        try c.encode(time, forKey: Key("time"))
        try c.encodeIfPresent(tx, forKey: Key("tx"))
        for f in fields {
            switch f.value {
            case let .int(v): try c.encode(v, forKey: Key(f.name))
            case let .text(v): try c.encode(v, forKey: Key(f.name))
            case let .time(v): try c.encode(Date(milliseconds: v), forKey: Key(f.name))
            }
        }
    }
}

extension Date {
    public init(milliseconds: UInt64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
