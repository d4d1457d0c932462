// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "mfa-toolchain",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mfa-admin", targets: ["mfa-admin"]),
        .executable(name: "mfa-import", targets: ["mfa-import"]),
        .executable(name: "mfa-enrol", targets: ["mfa-enrol"]),
        .executable(name: "mfa-expire", targets: ["mfa-expire"]),
        .executable(name: "mfa-report", targets: ["mfa-report"]),
        .executable(name: "mfa-bench", targets: ["mfa-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries, found through pkg-config and installed from Debian's packages.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),

        // HOTP/TOTP, Base32, otpauth URIs and recovery codes: pure computation, no I/O.
        .target(
            name: "OTP",
            dependencies: [
                "CSystemRandom",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // A small owner of SQLite connections and statements.
        .target(name: "CSystemRandom"),
        .target(name: "CSQLiteSupport", dependencies: ["CSQLite"]),
        .target(name: "SQLiteDB", dependencies: ["CSQLite", "CSQLiteSupport"]),
        // The MFA store: schema, migrations, sealed secrets, the audit chain, domain types.
        .target(
            name: "MFAStore",
            dependencies: [
                "OTP", "SQLiteDB",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every executable shares: options, exit codes, logging bootstrap, run lock.
        .target(
            name: "CommandSupport",
            dependencies: [
                "MFAStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The tools' command-line layer: argument parsing, summaries, exit codes.
        .target(
            name: "Commands",
            dependencies: [
                "OTP", "MFAStore", "SQLiteDB", "CommandSupport", "RosterImport", "Enrolment", "Sheets", "Lifecycle", "Expiry",
                "Reporting",
            ]
        ),

        // libxml2's streaming reader and XSD validation, with one owner per handle.
        .target(name: "CLibXML2Quiet", dependencies: ["CLibXML2"]),
        .target(name: "XMLStream", dependencies: ["CLibXML2", "CLibXML2Quiet"]),
        // mfa-import: CSV and XML user lists into the store.
        .target(
            name: "RosterImport",
            dependencies: [
                "MFAStore", "SQLiteDB", "XMLStream",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Printable set-up sheets: QR codes (libqrencode) on A4 PDF pages (cairo).
        .target(name: "Sheets", dependencies: ["OTP", "CQRencode", "CCairo"]),
        // mfa-enrol: enrolments for everyone who needs one, and their sheets.
        .target(
            name: "Enrolment",
            dependencies: [
                "OTP", "MFAStore", "SQLiteDB", "Sheets",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // mfa-admin's work on one login: verify, redeem, reset, status; key rotation; audit.
        .target(
            name: "Lifecycle",
            dependencies: [
                "OTP", "MFAStore", "SQLiteDB", "Enrolment",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // mfa-expire: end the enrolments of deleted logins and of stale pending ones.
        .target(
            name: "Expiry",
            dependencies: [
                "MFAStore", "SQLiteDB", "RosterImport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // mfa-report: dashboard feeds (CSV, JSON) and a page for people (HTML).
        .target(
            name: "Reporting",
            dependencies: [
                "MFAStore", "SQLiteDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Seeded synthetic rosters for the benchmarks and the tests.
        .target(name: "SyntheticRoster"),
        .target(
            name: "Benchmarks",
            dependencies: [
                "OTP", "MFAStore", "SyntheticRoster", "Sheets", "Lifecycle",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        .executableTarget(name: "mfa-admin", dependencies: ["Commands", "CommandSupport"]),
        .executableTarget(name: "mfa-import", dependencies: ["Commands", "CommandSupport"]),
        .executableTarget(name: "mfa-enrol", dependencies: ["Commands", "CommandSupport"]),
        .executableTarget(name: "mfa-expire", dependencies: ["Commands", "CommandSupport"]),
        .executableTarget(name: "mfa-report", dependencies: ["Commands", "CommandSupport"]),
        .executableTarget(name: "mfa-bench", dependencies: ["Benchmarks", "CommandSupport"]),


        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "OTPTests",
            dependencies: ["OTP", "TestSupport", .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto")]),
        .testTarget(name: "SQLiteDBTests", dependencies: ["SQLiteDB", "CSQLite", "TestSupport"]),
        .testTarget(name: "MFAStoreTests", dependencies: ["MFAStore", "OTP", "SQLiteDB", "TestSupport"]),
        // Runs the built tools on copies of Samples/ in temporary folders.
        .testTarget(name: "RosterImportTests", dependencies: ["RosterImport", "MFAStore", "TestSupport", "CLibXML2"]),
        .testTarget(name: "SheetsTests", dependencies: ["Sheets", "OTP", "TestSupport"]),
        .testTarget(name: "EnrolmentTests", dependencies: ["Enrolment", "MFAStore", "OTP", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "MFAStore", "OTP"]),
    ]
)
