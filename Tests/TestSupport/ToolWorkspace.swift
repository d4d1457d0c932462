import Foundation

/// A temporary folder with an initialised store, for running the built tools on copies
/// of `Samples/` the way an admin would.
public final class ToolWorkspace: @unchecked Sendable {
    public let folder: TemporaryDirectory
    public var database: String { folder.path("mfa.sqlite") }
    public var keyFile: String { folder.path("mfa.key") }
    /// Extra environment for every run (MFA_NOW, MFA_CONFIG, …).
    public var environment: [String: String] = [:]

    public init(_ label: String = "tools", initialise: Bool = true) throws {
        folder = try TemporaryDirectory(label)
        if initialise {
            let result = try run("mfa-admin", ["init", "--quiet"])
            precondition(result.status == 0, "mfa-admin init failed: \(result.stderr)")
        }
    }

    /// Runs a built tool against this workspace's store, in its folder.
    @discardableResult
    public func run(_ tool: String, _ arguments: [String], environment extra: [String: String] = [:], input: Data? = nil) throws -> ProcessResult {
        var environment = ["MFA_DB": database, "MFA_KEY_FILE": keyFile]
        environment.merge(self.environment) { $1 }
        environment.merge(extra) { $1 }
        return try runProcess(TestSupport.tool(tool), arguments, environment: environment, input: input, directory: folder.url)
    }

    /// Copies a file from `Samples/` into the workspace; returns its new path.
    @discardableResult
    public func copySample(_ name: String) throws -> String {
        let target = folder.path(name)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Samples/\(name)").path, toPath: target)
        return target
    }

    /// The store's bytes: the database file and its write-ahead log. (The shared-memory
    /// index is not content and changes on every open.)
    public func storeBytes() -> Data {
        var data = FileManager.default.contents(atPath: database) ?? Data()
        data.append(FileManager.default.contents(atPath: database + "-wal") ?? Data())
        return data
    }

    /// The store's content as SQL, via the sqlite3 shell: equal dumps, equal stores.
    public func dump() throws -> String {
        try runProcess("/usr/bin/sqlite3", [database, ".dump"]).stdout
    }

    /// Runs SQL with the sqlite3 shell and returns its output lines.
    public func sql(_ statement: String) throws -> [String] {
        let result = try runProcess("/usr/bin/sqlite3", [database, statement])
        precondition(result.status == 0, "sqlite3: \(result.stderr)")
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
