import Foundation

/// A scratch folder for one benchmark, with the release-built tools beside `mfa-bench`.
final class BenchWorkspace {
    let folder: URL
    private let toolsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    struct StorePaths {
        var database: String
        var keyFile: String
    }

    init(_ name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-bench-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A new, initialised store.
    func freshStore(_ name: String) throws -> StorePaths {
        let store = StorePaths(database: path("\(name).sqlite"), keyFile: path("\(name).key"))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.database + suffix) }
        try? FileManager.default.removeItem(atPath: store.keyFile)
        _ = try tool("mfa-admin", ["init", "--quiet"], store: store)
        return store
    }

    /// Runs a tool on `store`; a non-zero exit is an error that shows its stderr.
    func tool(
        _ name: String, _ arguments: [String], store: StorePaths, environment: [String: String] = [:], expectFailure: Bool = false
    ) throws -> ChildRun {
        var environment = environment
        environment["MFA_DB"] = store.database
        environment["MFA_KEY_FILE"] = store.keyFile
        let run = try runChild(toolsDirectory.appendingPathComponent(name).path, arguments, environment: environment)
        guard run.status == 0 || (expectFailure && run.status == 1) else {
            throw BenchmarkError("\(name) \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr.prefix(2000))")
        }
        return run
    }
}
