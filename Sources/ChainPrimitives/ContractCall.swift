/// A call to a target contract (claim 4): the management contract routes it to the old or new version.
public struct ContractCall: Hashable, Sendable {
    public let contract: String
    public let function: String
    public let args: [String]

    public init(contract: String, function: String, args: [String]) {
        self.contract = contract
        self.function = function
        self.args = args
    }

    public var summary: String { ([contract + "." + function] + args).joined(separator: " ") }
}

extension ContractCall: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(contract); w.string(function); w.array(args) { $0.string($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        contract = try r.string(limit: Limits.maxNameBytes)
        function = try r.string(limit: Limits.maxNameBytes)
        args = try r.array(limit: 64) { r throws(DecodingFailure) in try r.string(limit: 4096) }
    }
}

/// What a contract call left in its receipt.
public struct CallReceipt: Hashable, Sendable {
    public let contract: String
    public let version: String
    public let function: String
    public let fuel: UInt64
    public let result: String?

    package init(contract: String, version: String, function: String, fuel: UInt64, result: String?) {
        self.contract = contract
        self.version = version
        self.function = function
        self.fuel = fuel
        self.result = result
    }
}

extension CallReceipt: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(contract); w.string(version); w.string(function); w.u64(fuel); w.optional(result) { $0.string($1) }
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        contract = try r.string(limit: Limits.maxNameBytes)
        version = try r.string(limit: Limits.maxNameBytes)
        function = try r.string(limit: Limits.maxNameBytes)
        fuel = try r.u64()
        result = try r.optional { r throws(DecodingFailure) in try r.string() }
    }
}

/// An event a contract emitted through the host API.
public struct ContractEvent: Hashable, Sendable {
    public let contract: String
    public let version: String
    public let topic: String
    public let data: String

    package init(contract: String, version: String, topic: String, data: String) {
        self.contract = contract
        self.version = version
        self.topic = topic
        self.data = data
    }
}

extension ContractEvent: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.string(contract); w.string(version); w.string(topic); w.string(data)
    }

    public init(from r: inout ByteReader) throws(DecodingFailure) {
        contract = try r.string(limit: Limits.maxNameBytes)
        version = try r.string(limit: Limits.maxNameBytes)
        topic = try r.string(limit: 256)
        data = try r.string(limit: 4096)
    }
}
