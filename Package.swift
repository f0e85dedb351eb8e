// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way only: govconsole → GovernanceEngine → ServicePlatform → EmbeddedChain.
let package = Package(
    name: "govconsole",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "govconsole", targets: ["govconsole"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", from: "0.4.2"),
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
        .executableTarget(
            name: "govconsole",
            dependencies: [
                "GovernanceEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "EmbeddedChainTests", dependencies: ["EmbeddedChain"]),
        .testTarget(name: "GovernanceEngineTests", dependencies: ["GovernanceEngine"]),
        .testTarget(name: "govconsoleTests", dependencies: ["govconsole"]),
    ],
    swiftLanguageModes: [.v6]
)
