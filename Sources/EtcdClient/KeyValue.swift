/// One key as etcd stores it, with the revisions that order it.
public struct KeyValue: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// The revision that created the key (kept across later puts until it is deleted).
    public var createRevision: Int64
    public var modRevision: Int64
    /// How many times the key was put since it was created.
    public var version: Int64
    /// The lease the key is bound to, or nil.
    public var lease: Int64?

    public init(key: [UInt8], value: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64, lease: Int64? = nil) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    init(_ wire: WireKeyValue) {
        self.init(
            key: wire.key.map(Array.init) ?? [], value: wire.value.map(Array.init) ?? [],
            createRevision: wire.createRevision.orZero(), modRevision: wire.modRevision.orZero(),
            version: wire.version.orZero(), lease: wire.lease.map(\.value).flatMap { $0 == 0 ? nil : $0 }
        )
    }
}

/// What a range read found, as of one revision of the store.
public struct RangeResult: Sendable, Hashable {
    public var kvs: [KeyValue]
    /// How many keys the range holds, beyond a limit too.
    public var count: Int64
    /// Whether keys beyond the limit remain.
    public var more: Bool
    /// The store's revision when the range was read.
    public var revision: Int64
}

/// The outcome of a conditional append.
public enum AppendOutcome: Sendable, Hashable {
    /// The key was created at this revision.
    case created(revision: Int64)
    /// The key already exists; this is what it holds (our own value, when a timed-out try had committed).
    case taken(KeyValue)
    /// The predecessor named does not exist, so the append would leave a gap; nothing was written.
    case predecessorMissing
}

/// One change seen by a watch.
public struct WatchEvent: Sendable, Hashable {
    public var key: [UInt8]
    /// Empty for a delete.
    public var value: [UInt8]
    public var modRevision: Int64
    /// 0 for a delete.
    public var createRevision: Int64
    public var isDelete: Bool

    public init(key: [UInt8], value: [UInt8], modRevision: Int64, createRevision: Int64, isDelete: Bool) {
        self.key = key
        self.value = value
        self.modRevision = modRevision
        self.createRevision = createRevision
        self.isDelete = isDelete
    }
}
