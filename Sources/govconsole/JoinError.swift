import DurableStorage

/// Why `govconsole join` refused, each saying what was wrong and what to do. Every one is raised before
/// the new directory exists, or after its staging copy is removed: a refusal leaves nothing behind.
enum JoinError: Error, Hashable, CustomStringConvertible {
    case sourceMissing(String)
    case notADataDirectory(String)
    case unreadableGenesis(source: String, LedgerError)
    case notANode(name: String, role: String?, consortium: String, nodes: [String])
    case noNodeKey(node: String, keystore: String)
    case unusableKey(LedgerError)
    case keyMismatch(node: String, path: String)
    case targetInsideSource(target: String, source: String)
    case targetNotEmpty(String)
    case targetNotDirectory(String)
    case writeFailed(target: String, cause: String)

    var description: String {
        switch self {
        case let .sourceMissing(source):
            "no data directory at \(source); name the directory 'govconsole init' created for the consortium"
        case let .notADataDirectory(source):
            "\(source) is not a govconsole data directory (it has no ledger/blocks.log); name the directory 'govconsole init' created for the consortium"
        case let .unreadableGenesis(source, error):
            "cannot read the genesis block in \(source): \(error)"
        case let .notANode(name, role, consortium, nodes):
            (role.map { "'\(name)' is a \($0) of consortium '\(consortium)', not a node" } ?? "'\(name)' is not a node of consortium '\(consortium)'")
                + "; its nodes are \(nodes.joined(separator: ", ")): pass one of them to --node"
        case let .noNodeKey(node, keystore):
            "no key for \(node) in \(keystore); join from the data directory that holds \(node).key, or copy it there first"
        case let .unusableKey(error):
            "\(error)"
        case let .keyMismatch(node, path):
            "\(path) is not \(node)'s key: its public key differs from the one the genesis records for \(node); restore \(node).key from a backup"
        case let .targetInsideSource(target, source):
            "\(target) is inside the consortium's data directory \(source); pass a --data directory outside it"
        case let .targetNotEmpty(target):
            "\(target) already exists and is not empty; choose another --data directory or remove it"
        case let .targetNotDirectory(target):
            "\(target) already exists and is not a directory; choose another --data directory or remove it"
        case let .writeFailed(target, cause):
            "cannot create \(target): \(cause); nothing was left behind"
        }
    }
}
