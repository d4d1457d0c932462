import ArgumentParser
import Foundation
import Logging
import MFAStore

/// Where the store is: on every tool.
public struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite store (default: $MFA_DB, else ./mfa.sqlite).", valueName: "path"))
    public var databaseOption: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp("The store key (default: $MFA_KEY_FILE, else ./mfa.key).", valueName: "path"))
    public var keyFileOption: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Enrolment policy and naming (default: $MFA_CONFIG, else built-in defaults).", valueName: "path"))
    public var configOption: String?

    public init() {}

    public var databasePath: String { databaseOption ?? ProcessEnvironment.value("MFA_DB") ?? "./mfa.sqlite" }
    public var keyFilePath: String { keyFileOption ?? ProcessEnvironment.value("MFA_KEY_FILE") ?? "./mfa.key" }
    public var configPath: String? { configOption ?? ProcessEnvironment.value("MFA_CONFIG") }

    /// The clock the store uses. `MFA_NOW` (Unix seconds or an ISO 8601 date) pins it,
    /// for scripted scenarios and reproducible demos.
    public func clock() throws -> @Sendable () -> Int64 {
        guard let pinned = ProcessEnvironment.value("MFA_NOW") else { return Store.systemClock }
        guard let time = Int64(pinned) ?? Timestamp.parse(pinned) else {
            throw CommandFailure(.usage, "MFA_NOW='\(pinned)' is neither Unix seconds nor an ISO 8601 date")
        }
        return { time }
    }

    /// The configuration file's settings, or the defaults when none is given.
    public func loadConfiguration() throws -> Configuration {
        guard let configPath else { return Configuration() }
        return try Configuration.load(from: configPath)
    }

    /// Takes the store's run lock: one bulk run (import, enrol, expire) at a time.
    public func lockStore() throws -> RunLock {
        try RunLock(path: databasePath + ".lock")
    }

    public func openStore(logger: Logger) throws -> Store {
        try Store.open(path: databasePath, keyFilePath: keyFilePath, logger: logger, clock: clock())
    }
}

/// How much a tool says, and in what form: on every tool.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Only errors on stderr; no summary.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Log progress details on stderr.")
    public var verbose = false

    @Flag(help: "Print a machine-readable summary on stdout.")
    public var json = false

    public init() {}

    public func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    public var logLevel: Logger.Level {
        if quiet { return .error }
        return verbose ? .info : .notice
    }

    /// A progress bar draws only for a person watching: stderr is a terminal and
    /// neither --quiet nor --json asked for silence.
    public var showsProgress: Bool { !quiet && !json && isatty(STDERR_FILENO) == 1 }

    /// Prints `value` as JSON (snake_case keys, sorted) when --json was given.
    public func printJSON(_ value: some Encodable) {
        guard json else { return }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Prints the human summary unless --quiet or --json.
    public func summary(_ text: @autoclosure () -> String) {
        guard !quiet && !json else { return }
        print(text())
    }
}

/// The process environment, read in one place.
enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// Narrows a bulk run to one organisation and/or one environment.
public struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("org"), help: ArgumentHelp("Only this organisation.", valueName: "code"))
    public var organisation: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("Only this environment (Live or Sandpit).", valueName: "environment"))
    public var environmentName: String?

    public init() {}

    public func validate() throws {
        if let environmentName, MFAStore.Environment(parsing: environmentName) == nil {
            throw ValidationError("--env '\(environmentName)' is not an environment; use Live or Sandpit")
        }
    }

    public var environment: MFAStore.Environment? { environmentName.flatMap(MFAStore.Environment.init(parsing:)) }
}
