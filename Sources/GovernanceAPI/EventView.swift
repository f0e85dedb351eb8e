import ChainModel
import Foundation
import Governance

/// An event with its type, where it happened, and its own fields at the top level.
public struct EventView: Codable, Sendable, Hashable {
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

    /// Set in an encoder's and a decoder's `userInfo` to carry events between processes: fields keep
    /// their order and kinds, which the flat form people read (and `--json` prints) does not.
    public static let wireFormat = CodingUserInfoKey(rawValue: "govconsole.wire")!

    private struct WireField: Codable {
        let name: String
        let int: UInt64?
        let text: String?
        let time: UInt64?
    }

    private struct Wire: Codable {
        let type: String
        let height: UInt64
        let time: Date
        let tx: String?
        let proposal: UInt64?
        let fields: [WireField]
    }

    /// Reads the wire form only; the flat form is for people.
    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        type = w.type
        height = w.height
        time = w.time
        tx = w.tx
        proposal = w.proposal
        fields = try w.fields.map { f in
            if let v = f.int { return Field(name: f.name, value: .int(v)) }
            if let v = f.text { return Field(name: f.name, value: .text(v)) }
            if let v = f.time { return Field(name: f.name, value: .time(v)) }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "event field \(f.name) has no value"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[Self.wireFormat] != nil {
            try Wire(type: type, height: height, time: time, tx: tx, proposal: proposal, fields: fields.map { f in
                switch f.value {
                case let .int(v): WireField(name: f.name, int: v, text: nil, time: nil)
                case let .text(v): WireField(name: f.name, int: nil, text: v, time: nil)
                case let .time(v): WireField(name: f.name, int: nil, text: nil, time: v)
                }
            }).encode(to: encoder)
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
