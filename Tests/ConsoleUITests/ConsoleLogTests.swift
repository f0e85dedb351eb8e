@testable import ConsoleUI
import Foundation
import Logging
import Testing

/// govconsole.log through swift-log: one `TIME TEXT` line per message, rotated when a console starts.
@Suite struct ConsoleLogTests {
    @Test func eachMessageIsOneStampedLineAndABigLogIsRotated() throws {
        let path = NSTemporaryDirectory() + "gc-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".1") }
        let old = Data(repeating: 0x41, count: ConsoleLogFile.rotateBytes + 1)
        try old.write(to: URL(fileURLWithPath: path))
        let log = ConsoleLog(path: path)
        log.write("console started as ops")
        log.logger.info("service: serving")
        #expect(FileManager.default.contents(atPath: path + ".1") == old)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0].wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ console started as ops/) != nil)
        #expect(lines[1].hasSuffix("Z service: serving"))
    }
}
