import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-state work (hashing for a checkpoint, writing a snapshot) runs on a thread of its own, started
/// here, at a lower CPU priority: on a machine with few cores it would otherwise take a core from the
/// threads verifying and sealing votes for tens of milliseconds, and every vote queued meanwhile would
/// wait. It still gets its share when they are busy (nice 10 against 0 is about a tenth), so it ends in
/// time; a checkpoint waits for its root only if 32 blocks go by first.
enum BackgroundThread {
    static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            #if os(Linux)
            // On Linux a thread has its own nice value; 0 names the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            body()
        }
        thread.name = name
        thread.start()
    }
}
