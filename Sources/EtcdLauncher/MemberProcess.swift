import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One running etcd process, its stdout and stderr appended to its log.
struct MemberProcess: @unchecked Sendable {  // Process is used only through its thread-safe pid and isRunning
    let process: Process

    init(etcd: String, arguments: [String], log: String, member: Int) throws(LaunchError) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: etcd)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        #if arch(arm64)
        environment["ETCD_UNSUPPORTED_ARCH"] = "arm64"  // etcd 3.4 calls arm64 experimental and refuses it otherwise
        #endif
        process.environment = environment
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        guard let output = FileHandle(forWritingAtPath: log) else { throw .memberExited(member: member, reason: "could not start \(etcd) with its log at \(log)") }
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .memberExited(member: member, reason: "could not start \(etcd) with its log at \(log)")
        }
        try? output.close()  // the child holds its own copy
    }

    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }
}
