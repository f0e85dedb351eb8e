import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Messages for the loop from any thread, and the pipe that wakes the loop when one arrives.
final class Inbox: Sendable {
    private let messages = Mutex<[ConsoleMessage]>([])
    /// The loop polls this end; a signal handler may write the other too.
    let wakeRead: Int32
    let wakeWrite: Int32

    init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Posts a message to the loop and wakes it.
    func post(_ message: ConsoleMessage) {
        messages.withLock { $0.append(message) }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Everything posted so far, oldest first, with the wake-ups that announced it.
    func take() -> [ConsoleMessage] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        return messages.withLock { m in
            defer { m = [] }
            return m
        }
    }
}
