import Foundation

/// The WAT sources shipped with the package, deployed by the demo genesis.
public enum DemoContracts {
    /// `asset-ledger` v1 and v2, as (version, WAT source).
    public static func assetLedger() throws -> [(version: String, source: String)] {
        try ["v1", "v2"].map { version in
            guard let url = Bundle.module.url(forResource: "asset-ledger-\(version)", withExtension: "wat", subdirectory: "Demo") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "asset-ledger-\(version).wat is missing from the package"])
            }
            return (version, try String(contentsOf: url, encoding: .utf8))
        }
    }
}
