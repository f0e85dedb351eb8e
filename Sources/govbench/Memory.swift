import Foundation

/// Resident memory, from /proc/self/status.
enum Memory {
    /// VmHWM: the most resident memory this process has had.
    static func peakResidentMegabytes() -> Double { status("VmHWM:") }

    /// VmRSS: resident memory now.
    static func residentMegabytes() -> Double { status("VmRSS:") }

    private static func status(_ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
