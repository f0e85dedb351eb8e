// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way only: govconsole → ConsoleUI, GovernanceService → GovernanceEngine → ServicePlatform → EmbeddedChain.
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
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        .target(
            name: "EmbeddedChain",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            resources: [.copy("Contracts/Demo")]
        ),
        .target(name: "ServicePlatform", dependencies: ["EmbeddedChain"]),
        .target(name: "GovernanceEngine", dependencies: ["ServicePlatform", "EmbeddedChain"]),
        // The shared-session service and its client: one engine, many terminals, over a framed protocol.
        .target(
            name: "GovernanceService",
            dependencies: [
                "GovernanceEngine", "EmbeddedChain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(
            name: "ConsoleUI",
            dependencies: ["GovernanceEngine", "EmbeddedChain", "CNcurses", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "govconsole",
            dependencies: [
                "GovernanceEngine",
                "GovernanceService",
                "ConsoleUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The performance benchmark: `swift run -c release govbench [--quick] [--json]`.
        .executableTarget(
            name: "govbench",
            dependencies: [
                "GovernanceEngine", "ServicePlatform", "EmbeddedChain", "ConsoleUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The writer the crash harness kills; built for the tests, not shipped as a product.
        .executableTarget(name: "crashwriter", dependencies: [
            "GovernanceEngine", "ServicePlatform", "EmbeddedChain",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "EmbeddedChainTests", dependencies: ["EmbeddedChain"]),
        .testTarget(name: "GovernanceEngineTests", dependencies: ["GovernanceEngine"]),
        .testTarget(name: "GovernanceServiceTests", dependencies: [
            "GovernanceService", "GovernanceEngine", "EmbeddedChain", .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ConsoleUITests", dependencies: ["ConsoleUI"], resources: [.copy("Golden")]),
        .testTarget(name: "govconsoleTests", dependencies: [
            "govconsole", "crashwriter", "govbench", "EmbeddedChain",
            .product(name: "Subprocess", package: "swift-subprocess"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
