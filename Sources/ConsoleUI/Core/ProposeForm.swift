import Governance
import GovernanceAPI

/// The form `p` opens to propose any operation the engine supports. Its fields are the options
/// `govconsole propose` takes, read by the same `ProposalText`.
public struct ProposeForm: Hashable, Sendable {
    public struct Field: Hashable, Sendable {
        public let label: String
        /// The option it fills, or `name` for the positional argument.
        public let key: String
        public var value: String
    }

    public static let operations: [OperationKind] = [.addMember, .removeMember, .setPolicy, .upgradeContract, .rollbackContract,
                                                     .upgradeNodes, .rollbackNodes, .deployContract]

    public var operation: Int = 0
    public var fields: [Field] = ProposeForm.fields(for: .addMember)
    /// 0 is the operation chooser; 1… are fields.
    public var cursor: Int = 0

    public static func fields(for op: OperationKind) -> [Field] {
        switch op {
        case .addMember: [Field(label: "name", key: "name", value: ""), Field(label: "role", key: "role", value: "voter"),
                          Field(label: "weight", key: "weight", value: "1")]
        case .removeMember: [Field(label: "name", key: "name", value: "")]
        case .setPolicy: [Field(label: "quorum", key: "quorum", value: ""), Field(label: "threshold", key: "threshold", value: ""),
                          Field(label: "voting period", key: "voting-period", value: ""),
                          Field(label: "permission ttl", key: "permission-ttl", value: "")]
        case .upgradeContract: [Field(label: "contract", key: "name", value: "asset-ledger"), Field(label: "to version", key: "to", value: "v2"),
                                Field(label: "stage", key: "stage", value: "prerelease"), Field(label: "percent", key: "percent", value: "")]
        case .rollbackContract: [Field(label: "contract", key: "name", value: "asset-ledger")]
        case .upgradeNodes: [Field(label: "to logic", key: "to", value: "v2"), Field(label: "stage", key: "stage", value: "prerelease"),
                             Field(label: "percent", key: "percent", value: "")]
        case .rollbackNodes: []
        case .deployContract: [Field(label: "contract", key: "name", value: ""), Field(label: "version", key: "version", value: ""),
                               Field(label: "file", key: "file", value: "")]
        }
    }

    public var kind: OperationKind { ProposeForm.operations[operation] }

    /// The form as a proposal, or the one line saying which field to fix; empty fields are left out.
    public func draft() throws(ProposalTextError) -> ProposalDraft {
        try ProposalText.parse(kind, Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
    }
}
