// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way only, downward; each module owns what its name says:
//   ChainPrimitives (hash, codec, identities, lanes, ratios, limits, named refusals)
//   ← Rollout (routing policies, health gate, node logic, node choice) ← Governance (the management contract)
//   ← ChainModel (transactions, receipts, blocks, events, genesis, state);
//   ChainPrimitives ← ContractRuntime (WasmKit) and ← DurableStorage (durable writes, keystore);
//   ChainModel, ContractRuntime, DurableStorage ← EmbeddedChain (ledger, execution) ← ServicePlatform;
//   ChainModel, DurableStorage ← GovernanceAPI (backend protocol, views, signing client) ← ServiceClient (wire, remote backend);
//   GovernanceAPI, ServicePlatform, ContractRuntime (demo contracts) ← GovernanceEngine ← GovernanceService (with ServiceClient);
//   GovernanceAPI ← ConsoleUI, which never sees the chain or WasmKit (it reads only the API and the pure modules below it);
//   EtcdClient (etcd 3.4's JSON gateway over async-http-client) depends on nothing of ours; EtcdLauncher (a local
//   3-member etcd cluster for tests and benchmarks) sits on it;
//   the executables sit on top.
// ncurses is reached only through CNcurses, from ConsoleUI's NcursesBackend.
let package = Package(
    name: "govconsole",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "govconsole", targets: ["govconsole"]),
        .executable(name: "govbench", targets: ["govbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", from: "0.4.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "ChainPrimitives", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Rollout", dependencies: ["ChainPrimitives"]),
        .target(name: "Governance", dependencies: ["Rollout", "ChainPrimitives"]),
        .target(name: "ChainModel", dependencies: ["Governance", "Rollout", "ChainPrimitives"]),
        .target(
            name: "ContractRuntime",
            dependencies: ["ChainPrimitives", .product(name: "WasmKit", package: "WasmKit"), .product(name: "WAT", package: "WasmKit")],
            resources: [.copy("Demo")]
        ),
        .target(name: "DurableStorage", dependencies: ["ChainPrimitives", .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "EmbeddedChain", dependencies: [
            "ChainModel", "ContractRuntime", "DurableStorage", "Governance", "Rollout", "ChainPrimitives",
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .target(name: "ServicePlatform", dependencies: ["EmbeddedChain", "ChainModel", "DurableStorage", "Governance", "Rollout", "ChainPrimitives"]),
        .target(name: "GovernanceAPI", dependencies: ["ChainModel", "DurableStorage", "Governance", "Rollout", "ChainPrimitives"]),
        .target(
            name: "ServiceClient",
            dependencies: [
                "GovernanceAPI", "ChainModel", "ChainPrimitives",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ]
        ),
        // One organisation's engine among several keeping one ledger: blocks placed in an order kept in etcd.
        .target(name: "ClusterOrdering", dependencies: [
            "EmbeddedChain", "ServicePlatform", "EtcdClient", "GovernanceAPI", "ChainModel", "ChainPrimitives", "ServiceClient", "Rollout",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "GovernanceEngine", dependencies: [
            "GovernanceAPI", "ServicePlatform", "EmbeddedChain", "ClusterOrdering", "ContractRuntime", .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The shared-session service: one engine, many terminals, over the framed protocol ServiceClient speaks.
        .target(
            name: "GovernanceService",
            dependencies: [
                "ServiceClient", "GovernanceEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "EtcdClient", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // A local 3-member etcd cluster on loopback, for tests in any target and for govbench.
        .target(name: "EtcdLauncher", dependencies: ["EtcdClient"]),
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(
            name: "ConsoleUI",
            dependencies: ["GovernanceAPI", "ChainModel", "Governance", "ChainPrimitives", "CNcurses", .product(name: "Yams", package: "Yams"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "SystemPackage", package: "swift-system")]
        ),
        .executableTarget(
            name: "govconsole",
            dependencies: [
                "GovernanceAPI",
                "GovernanceEngine",
                "GovernanceService",
                "ServiceClient",
                "ContractRuntime",
                "ConsoleUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The performance benchmark: `swift run -c release govbench [--quick] [--json]`.
        .executableTarget(
            name: "govbench",
            dependencies: [
                "GovernanceEngine", "ServicePlatform", "EmbeddedChain", "ContractRuntime", "ConsoleUI", "GovernanceService", "ServiceClient",
                "ClusterOrdering", "EtcdClient", "EtcdLauncher",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The engine's request path under open-loop load, for engineers profiling it; not a product.
        .executableTarget(name: "enginedriver", dependencies: ["GovernanceEngine", "GovernanceAPI", "EmbeddedChain", "GovernanceService", "ServiceClient"]),
        // The writer the crash harness kills; built for the tests, not shipped as a product.
        .executableTarget(name: "crashwriter", dependencies: [
            "GovernanceEngine", "ServicePlatform", "EmbeddedChain",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "GovernanceTests", dependencies: ["Governance", "ChainPrimitives"]),
        .testTarget(name: "EmbeddedChainTests", dependencies: ["EmbeddedChain", "DurableStorage", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "GovernanceAPITests", dependencies: ["GovernanceAPI"]),
        .testTarget(name: "GovernanceEngineTests", dependencies: ["GovernanceEngine"]),
        .testTarget(name: "ClusterOrderingTests", dependencies: ["ClusterOrdering", "GovernanceEngine", "ServicePlatform", "EmbeddedChain", "EtcdClient", "EtcdLauncher"]),
        .testTarget(name: "GovernanceServiceTests", dependencies: [
            "GovernanceService", "ServiceClient", "GovernanceEngine", "ServicePlatform", "EmbeddedChain", .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "EtcdClientTests", dependencies: ["EtcdClient", "EtcdLauncher"]),
        .testTarget(name: "ConsoleUITests", dependencies: ["ConsoleUI", "GovernanceAPI", "GovernanceEngine"], resources: [.copy("Golden")]),
        .testTarget(name: "govconsoleTests", dependencies: [
            "govconsole", "crashwriter", "govbench", "EmbeddedChain", "EtcdLauncher",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
