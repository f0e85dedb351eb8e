@testable import EtcdLauncher
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A port taken between the launcher's choice and etcd's bind: the start retries with new ports.
@Suite(.timeLimit(.minutes(5))) struct PortRetryTests {
    @Test func aMemberThatLostItsPortMakesTheStartRetryWithNewPorts() async throws {
        let holder = try #require(ListeningSocket())
        var attempts = 0
        let cluster = try await LocalEtcdCluster.start(size: 3, etcd: nil, healthTimeout: .seconds(60)) { count, attempt in
            attempts = attempt
            var ports = freeLoopbackPorts(count)
            if attempt == 1 { ports[1] = holder.port }  // member m1's client port is already taken
            return ports
        }
        #expect(attempts == 2)
        #expect(!cluster.endpoints.contains("http://127.0.0.1:\(holder.port)"))
        await cluster.stop()
        holder.close()
    }
}

/// A TCP socket listening on a free loopback port until closed.
final class ListeningSocket {
    let fd: Int32
    let port: Int

    init?() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, listening else { return nil }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
