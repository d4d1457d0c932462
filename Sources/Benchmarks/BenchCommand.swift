import ArgumentParser
import Foundation
import SyntheticRoster

/// `mfa-bench`: benchmarks, and the synthetic rosters they run on.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-bench",
        abstract: "Run the toolchain's benchmarks, or generate synthetic user lists.",
        subcommands: [RunBenchmarks.self, GenerateRoster.self],
        defaultSubcommand: RunBenchmarks.self)

    public init() {}
}

/// `mfa-bench run`: runs the benchmarks in this (release) build and prints a table of figures.
struct RunBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run benchmarks and print their figures.",
        discussion: "Build in release mode first (`scripts/bench` does). Synthetic data is generated from a fixed seed.")

    @Argument(help: "Benchmarks to run (default: all). Known: \(RunBenchmarks.registry.map(\.name).joined(separator: ", ")).")
    var benchmarks: [String] = []

    static let registry: [(name: String, run: @Sendable () throws -> [Figure])] = [
        ("totp", benchmarkTOTP),
        ("recovery-hash", benchmarkRecoveryCodeHashing),
        ("import", { try benchmarkImport(count: 1_000_000) }),
        ("sheet-parts", benchmarkSheetParts),
        ("enrol", { try benchmarkEnrol(count: 10_000) + (try benchmarkEnrol(count: 100_000)) }),
        ("verify", { try benchmarkVerify(count: 100_000) }),
        ("expire", { try benchmarkExpire(count: 1_000_000, deleted: 100_000) }),
        ("report", { try benchmarkReport(logins: 1_000_000, events: 10_000_000) }),
    ]

    func validate() throws {
        let known = Set(Self.registry.map(\.name))
        if let unknown = benchmarks.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown benchmark '\(unknown)'")
        }
    }

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("mfa-bench: warning: this is a debug build; figures mean little. Use `make bench`.\n".utf8))
        #endif
        let selected = benchmarks.isEmpty ? Self.registry : Self.registry.filter { benchmarks.contains($0.name) }
        emit(row("benchmark", "figure", "value", "unit"))
        emit(String(repeating: "-", count: 100))
        for benchmark in selected {
            for figure in try benchmark.run() {
                emit(row(figure.benchmark, figure.name, Self.format(figure.value), figure.unit))
            }
        }
    }

    /// Unbuffered, so each figure shows as soon as its benchmark has it.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func row(_ benchmark: String, _ figure: String, _ value: String, _ unit: String) -> String {
        benchmark.padding(toLength: 16, withPad: " ", startingAt: 0) + figure.padding(toLength: 56, withPad: " ", startingAt: 0)
            + String(repeating: " ", count: max(0, 14 - value.count)) + value + "  " + unit
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }
}

/// `mfa-bench generate`: a realistic synthetic user list, the same for the same seed.
struct GenerateRoster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write a synthetic user list (CSV or XML) for mfa-import.")

    @Option(help: "How many users.")
    var count: Int

    @Option(help: "csv or xml.")
    var format: String = "csv"

    @Option(help: "The generator's seed.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Share of users marked deleted, 0 to 1.", valueName: "fraction"))
    var deleted = 0.01

    @Argument(help: "Where to write it.")
    var output: String

    func validate() throws {
        if RosterWriter.Format(rawValue: format) == nil { throw ValidationError("--format must be csv or xml") }
        if count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        try RosterWriter.write(
            RosterGenerator(count: count, seed: seed, deletedShare: deleted), format: RosterWriter.Format(rawValue: format)!,
            to: output)
    }
}
