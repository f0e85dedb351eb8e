import Foundation
import Testing

/// Compares a screen with its golden text file, Golden/NAME.txt. With GOVCONSOLE_UPDATE_GOLDEN=1 it rewrites
/// the file instead, after an intended change; read the diff before committing it.
func expectGolden(_ name: String, _ screen: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    if ProcessInfo.processInfo.environment["GOVCONSOLE_UPDATE_GOLDEN"] != nil {
        return try (screen + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
    #expect(try String(contentsOf: url, encoding: .utf8) == screen + "\n",
            "screen \(name) differs from \(url.path); rerun with GOVCONSOLE_UPDATE_GOLDEN=1 if the change is intended",
            sourceLocation: sourceLocation)
}
