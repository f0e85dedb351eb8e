import GovernanceEngine
import ServiceLifecycle

/// Records votes whose deadline passed even when nobody is looking: a tick a second until its group
/// shuts down.
struct DueVoteTicker: Service {
    let engine: GovernanceEngine

    func run() async {
        await cancelWhenGracefulShutdown {
            // Shutting down cancels the sleep: no block is written on the way out.
            while (try? await Task.sleep(for: .seconds(1))) != nil {
                _ = try? await engine.closeDue()
            }
        }
    }
}
