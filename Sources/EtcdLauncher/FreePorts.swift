#if canImport(Glibc)
import Glibc
#endif

/// Ports the kernel calls free on 127.0.0.1 right now, all distinct: bound to port 0 together, then closed.
/// Another process may take one before etcd binds it; the launcher retries on "address already in use".
public func freeLoopbackPorts(_ count: Int) -> [Int] {
    var sockets: [Int32] = []
    defer { sockets.forEach { close($0) } }
    var ports: [Int] = []
    for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { continue }
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        if bound { ports.append(Int(UInt16(bigEndian: address.sin_port))) }
    }
    return ports
}
