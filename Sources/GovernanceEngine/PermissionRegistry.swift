import ChainModel
import Governance
import GovernanceAPI

/// The engine's own record of the permissions the management contract granted, kept from the events the
/// platform pushes (claim 3) and checked before every management request (claim 2).
struct PermissionRegistry {
    struct Entry: Hashable {
        var holder: String
        var operation: OperationKind
        var target: String
        var expires: UInt64
        var state: PermissionState
    }

    private(set) var entries: [UInt64: Entry] = [:]
    private(set) var height: UInt64 = 0

    init() {}

    /// The registry as the events up to `height` left it, read from the contract's own record of them.
    init(_ s: ManagementState, height: UInt64) {
        for (id, p) in s.permissions {
            entries[id] = Entry(holder: p.holder, operation: p.operation, target: p.target, expires: p.expiresAt, state: p.recordedState)
        }
        self.height = height
    }

    mutating func record(_ block: Block) {
        record(block.events.map(\.event))
        height = block.height
    }

    mutating func record(_ events: [ChainEvent]) {
        for e in events {
            guard case let .governance(event) = e else { continue }
            switch event {
            case let .permissionGranted(p, holder, op, target, expires):
                entries[p] = Entry(holder: holder, operation: op, target: target, expires: expires, state: .granted)
            case let .permissionConsumed(p, _):
                entries[p]?.state = .consumed
            case let .permissionExpired(p, _):
                entries[p]?.state = .expired
            default:
                break
            }
        }
    }

    /// The registry as it will be once the next block boundary records `events`.
    func previewing(_ events: [ChainEvent]) -> PermissionRegistry {
        var copy = self
        copy.record(events)
        return copy
    }

    func state(of proposal: UInt64, at now: UInt64) -> PermissionState {
        guard let e = entries[proposal] else { return .none }
        return e.state == .granted && now >= e.expires ? .expired : e.state
    }

    /// Whether `holder` may now execute `operation` on `target` under `proposal`.
    func check(_ p: Proposal, holder: String, now: UInt64) throws(EngineError) {
        let state = state(of: p.id, at: now)
        guard let e = entries[p.id], state == .granted, e.holder == holder,
              e.operation == p.operation.kind, e.target == p.operation.target else {
            throw .permissionMissing(proposal: p.id, holder: holder, state: state, status: p.status(at: now))
        }
    }
}
