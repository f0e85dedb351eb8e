/// Where frames go and input comes from. `NcursesBackend` is a real terminal; `MemoryBackend` is for tests.
public protocol TerminalBackend: AnyObject {
    func start() throws
    /// Restores the terminal. Safe to call more than once.
    func stop()
    var size: (width: Int, height: Int) { get }
    /// Blocks until input arrives, `wakeFD` becomes readable, or `milliseconds` pass.
    func wait(milliseconds: Int, wakeFD: Int32)
    /// Keys, clicks and resizes available now, without blocking.
    func readInputs() -> [ConsoleMessage]
    /// Writes the cells of `buffer` that differ from `previous`.
    func draw(_ buffer: ScreenBuffer, previous: ScreenBuffer?, theme: Theme)
    func apply(theme: Theme)
    /// Where a signal handler may write to wake `wait`, and whether SIGINT or SIGTERM arrived.
    func attach(wakeWrite: Int32)
    var interrupted: Bool { get }
}

/// A terminal in memory: scripted input, and every frame kept as text, with a count of cells written.
public final class MemoryBackend: TerminalBackend {
    public private(set) var frames: [ScreenBuffer] = []
    public private(set) var cellsWritten = 0
    public var pending: [ConsoleMessage] = []
    public var size: (width: Int, height: Int)
    /// How many of the latest frames `frames` keeps; a benchmark drawing thousands keeps one.
    private let keepFrames: Int

    public init(width: Int, height: Int, keepFrames: Int = .max) {
        size = (width, height)
        self.keepFrames = keepFrames
    }

    public func start() throws {}
    public func stop() {}
    public func wait(milliseconds: Int, wakeFD: Int32) {}
    public func readInputs() -> [ConsoleMessage] { defer { pending = [] }; return pending }
    public func apply(theme: Theme) {}
    public func attach(wakeWrite: Int32) {}
    public var interrupted = false

    public func draw(_ buffer: ScreenBuffer, previous: ScreenBuffer?, theme: Theme) {
        cellsWritten += buffer.changes(since: previous).count
        if frames.count == keepFrames { frames.removeFirst() }
        frames.append(buffer)
    }
}
