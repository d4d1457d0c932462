import ArgumentParser
import Foundation

/// `mfa-bench`: runs the benchmarks in this (release) build and prints a table of figures.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-bench",
        abstract: "Run the toolchain's benchmarks and print their figures.",
        discussion: "Build in release mode first (`make bench` does). Synthetic data is generated from a fixed seed.")

    @Argument(help: "Benchmarks to run (default: all). Known: \(BenchCommand.registry.map(\.name).joined(separator: ", ")).")
    var benchmarks: [String] = []

    public init() {}

    static let registry: [(name: String, run: @Sendable () throws -> [Figure])] = [
        ("totp", benchmarkTOTP),
        ("recovery-hash", benchmarkRecoveryCodeHashing),
    ]

    public func validate() throws {
        let known = Set(Self.registry.map(\.name))
        if let unknown = benchmarks.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown benchmark '\(unknown)'")
        }
    }

    public func run() throws {
        #if DEBUG
        FileHandle.standardError.write(Data("mfa-bench: warning: this is a debug build; figures mean little. Use `make bench`.\n".utf8))
        #endif
        let selected = benchmarks.isEmpty ? Self.registry : Self.registry.filter { benchmarks.contains($0.name) }
        print(row("benchmark", "figure", "value", "unit"))
        print(String(repeating: "-", count: 100))
        for benchmark in selected {
            for figure in try benchmark.run() {
                print(row(figure.benchmark, figure.name, Self.format(figure.value), figure.unit))
            }
        }
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
