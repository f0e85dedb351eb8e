import Foundation

/// Where govconsole keeps a consortium: `ledger/` (the block log and its lock) and `keys/` (the keystore).
public struct DataDirectory: Sendable, Hashable {
    public let path: String

    public init(path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `$GOVCONSOLE_DATA`, else `$XDG_DATA_HOME/govconsole`, else `~/.local/share/govconsole`.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: (explicit as NSString).expandingTildeInPath) }
        if let d = environment["GOVCONSOLE_DATA"], !d.isEmpty { return DataDirectory(path: (d as NSString).expandingTildeInPath) }
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return DataDirectory(path: x + "/govconsole") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DataDirectory(path: home + "/.local/share/govconsole")
    }

    public var ledger: String { path + "/ledger" }
    public var keys: String { path + "/keys" }
}
