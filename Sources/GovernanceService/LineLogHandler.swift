import GovernanceAPI
import Logging

/// The service's log as people read it: one line per event, the message alone — no level, label or
/// metadata — with anything a peer supplied (its client name, a malformed message) escaped, so a
/// hostile peer cannot forge a line or steer the terminal that shows the log. `sink` adds the
/// time and writes the line where its owner keeps the log: `serve`'s stderr, a console's log file.
public struct LineLogHandler: LogHandler {
    private let sink: @Sendable (String) -> Void
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink(TerminalText.escaped(event.message.description))
    }
}

extension Logger {
    /// A logger writing each event at `level` or above as one line to `sink`.
    public static func lines(_ label: String, level: Logger.Level = .info,
                             _ sink: @escaping @Sendable (String) -> Void) -> Logger {
        var logger = Logger(label: label) { _ in LineLogHandler(sink) }
        logger.logLevel = level
        return logger
    }

    /// A logger that writes nothing: a server that nobody watches.
    public static let silent = Logger(label: "govconsole.silent") { _ in SwiftLogNoOpLogHandler() }
}
