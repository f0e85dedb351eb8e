/// A 64-bit number as etcd's JSON gateway writes it: a string (JSON numbers lose precision past 2^53).
/// Reads a bare JSON number too; writes a string.
struct EtcdNumber<Value: FixedWidthInteger & Codable & Sendable>: Codable, Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Value(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Value.self): \(text)")
            }
            self.value = value
        } else {
            value = try container.decode(Value.self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}

extension Optional {
    /// A field etcd omitted because it held the proto3 default: zero.
    func orZero<V>() -> V where Wrapped == EtcdNumber<V> { self?.value ?? 0 }
}
