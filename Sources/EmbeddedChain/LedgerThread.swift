import DequeModule
import Foundation
import Synchronization

/// The chain's own thread, and the serial executor the `Chain` actor runs on. The ledger's blocking file
/// work (append and fsync, snapshot writes, reads of old blocks, the replay of `Chain.opened`) happens
/// here, so it never holds one of Swift's few cooperative threads while the disk works.
///
/// Jobs run strictly in the order they arrive. That is what keeps group commit: a batch enqueued while a
/// block's fsync blocks this thread waits in the queue, and the next seal takes it together with every
/// other batch that arrived meanwhile, in one block and one fsync. (Handing only the fsync to another
/// thread and awaiting it would let queries see a state whose block is not yet durable.)
final class LedgerThread: SerialExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case call(() -> Void)
    }

    /// Guards `queue` and `stopping`; the thread sleeps on it while there is nothing to do.
    private let condition = NSCondition()
    private var queue = Deque<Work>()
    private var stopping = false
    /// Set once, before the thread starts; read only to tell whether code runs on it.
    private var thread: Thread?
    /// Ledger I/O counted by where it ran: a test reads these to see that none ran on another thread.
    private let onThread = Atomic<Int>(0)
    private let offThread = Atomic<Int>(0)

    /// `name` is what `top -H` and `ps -L` show for the thread: Linux keeps at most 15 bytes of it.
    init(name: String = "gov-ledger") {
        // The thread holds this executor until `stop`: the chain's jobs keep the chain, and so it, alive.
        // Named by the thread itself, through procfs, and short: Foundation's `Thread.name` set before
        // `start` never reached the kernel (and Linux refuses a name over 15 bytes; Glibc's module does
        // not offer pthread_setname_np), so the chain's thread showed in `top -H` under the name of the
        // pool thread that happened to create it.
        let thread = Thread { [self] in
            try? Data(name.utf8.prefix(15)).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
            run()
        }
        // Contract calls run here too: give them the stack a main thread has.
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        push(.job(UnownedJob(job)))
    }

    /// Jobs waiting for the thread: lets a test see that callers queued up behind a block being written.
    var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Whether the caller is running on this thread.
    var isCurrent: Bool { Thread.current === thread }

    func checkIsolated() {
        precondition(isCurrent, "expected to run on the ledger thread")
    }

    /// Runs `body` on this thread and returns what it returns: the work of opening a ledger, before the
    /// chain that will own the thread exists.
    func perform<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            push(.call { continuation.resume(returning: Result { () throws(E) -> T in try body() }) })
        }
        return try result.get()
    }

    /// Lets the thread end once the jobs already queued have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Counts one piece of ledger I/O by the thread it runs on.
    func noteIO() {
        if isCurrent {
            onThread.add(1, ordering: .relaxed)
        } else {
            offThread.add(1, ordering: .relaxed)
        }
    }

    /// Ledger I/O done so far on this thread and elsewhere.
    var ioCounts: (onThread: Int, offThread: Int) {
        (onThread.load(ordering: .relaxed), offThread.load(ordering: .relaxed))
    }

    private func push(_ work: Work) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func next() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopping { return nil }
            condition.wait()
        }
        return queue.removeFirst()
    }

    private func run() {
        let executor = asUnownedSerialExecutor()
        while let work = next() {
            switch work {
            case let .job(job): job.runSynchronously(on: executor)
            case let .call(body): body()
            }
        }
    }
}
