import Foundation
import GovernanceAPI
import Logging
import Synchronization
import SystemPackage

/// The data directory's log, `govconsole.log`, as a swift-log `Logger`; the screen is never written to.
/// `write` keeps the one-call form the console and its service use.
public struct ConsoleLog: Sendable {
    public let logger: Logger

    public init(path: String) {
        let file = ConsoleLogFile(path: path)
        logger = Logger(label: "govconsole") { _ in ConsoleLogHandler(file: file) }
    }

    public func write(_ line: String) { logger.info("\(line)") }
}

/// Writes each message as `TIMESTAMP TEXT` on its own line, control characters escaped.
public struct ConsoleLogHandler: LogHandler {
    let file: ConsoleLogFile
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        file.append(event.message.description)
    }
}

/// The log file itself: opened for appending, so lines from several writers — two consoles, or a console
/// and its service — never overwrite; one line is one write.
final class ConsoleLogFile: Sendable {
    private let fd: FileDescriptor?
    private let lock = Mutex(())

    /// A log past this size is moved to `PATH.1` when a console starts, so an all-day dashboard's log
    /// stays bounded at about twice this.
    static let rotateBytes = 8 << 20

    init(path: String) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > Self.rotateBytes {
            try? FileManager.default.removeItem(atPath: path + ".1")
            try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        }
        fd = try? FileDescriptor.open(path, .writeOnly, options: [.append, .create, .closeOnExec],
                                      permissions: [.ownerReadWrite])
    }

    deinit { try? fd?.close() }

    /// Control characters in `text` (a contract's result, an error quoting on-chain text) are written
    /// escaped, so `tail -f govconsole.log` is as safe as the screen; the output's own line breaks stay.
    func append(_ text: String) {
        guard let fd else { return }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let bytes = Array("\(stamp) \(TerminalText.escaped(text, keepingNewlines: true))\n".utf8)
        // A log line that cannot be written (a full disk) is dropped: the console has nowhere else to say so.
        lock.withLock { _ in _ = try? fd.writeAll(bytes) }
    }
}
