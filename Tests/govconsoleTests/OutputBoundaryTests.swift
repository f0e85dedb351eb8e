import Foundation
import Testing

/// Every byte the CLI writes to a terminal passes through `Output` (`emit`, `line`, `warn`), which
/// escapes control characters: a new subcommand that printed directly would bypass it.
@Test func theCommandLineWritesOnlyThroughOutput() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/govconsole").standardized
    // Output's writers; emit's one print of escaped text; the help text, escaped too.
    let allowed: [String: Int] = ["Output.swift": 2, "GlobalOptions.swift": 1, "Main.swift": 1]
    for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
        let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
        let writes = text.split(separator: "\n").filter { line in
            !line.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                && ["print(", "standardOutput.write", "standardError.write", "fputs(", "FileHandle(fileDescriptor"].contains { line.contains($0) }
        }
        #expect(writes.count == allowed[file] ?? 0, "\(file) writes to the terminal outside Output: \(writes)")
    }
}
