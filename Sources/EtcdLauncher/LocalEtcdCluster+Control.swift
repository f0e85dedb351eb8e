import EtcdClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension LocalEtcdCluster {
    /// SIGKILLs the member and waits until it is gone, so its ports are free for `restart`.
    public func kill(member: Int) async {
        guard let process = members.withLock({ $0[member] }) else { return }
        process.signal(SIGKILL)
        await Self.waitForExit([process], limit: .seconds(60))
    }

    /// Starts the member again with its command line; it rejoins from its data directory. Does not wait:
    /// call `waitUntilHealthy([member])` for that (it becomes healthy only once a quorum is up).
    public func restart(member: Int) throws(LaunchError) {
        if let running = members.withLock({ $0[member] }), running.isRunning { return }
        try launch(member)
    }

    /// Freezes the member (SIGSTOP): its connections stay open but it answers nothing.
    public func pause(member: Int) { members.withLock { $0[member] }?.signal(SIGSTOP) }

    /// Lets a paused member run again (SIGCONT).
    public func resume(member: Int) { members.withLock { $0[member] }?.signal(SIGCONT) }

    /// The index of the member that says it leads, when one does.
    public func leaderIndex() async -> Int? {
        guard let client = try? EtcdClient(endpoints: endpoints) else { return nil }
        let statuses = await client.status()
        await client.shutdown()
        return statuses.firstIndex { $0.answered?.isLeader == true }
    }

    /// Ends every member (SIGTERM, then SIGKILL after 5 s) and removes the directory.
    public func stop() async {
        let running = members.withLock { $0.compactMap { $0 } }
        for process in running {
            process.signal(SIGTERM)
            process.signal(SIGCONT)  // a paused member handles SIGTERM only once it runs
        }
        await Self.waitForExit(running, limit: .seconds(5))
        running.forEach { $0.signal(SIGKILL) }
        await Self.waitForExit(running, limit: .seconds(60))
        members.withLock { $0 = $0.map { _ in nil } }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func waitForExit(_ processes: [MemberProcess], limit: Duration) async {
        let end = ContinuousClock.now + limit
        while processes.contains(where: \.isRunning), ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
