import ArgumentParser
import CommandSupport
import Foundation
import MFAStore

/// `mfa-admin init`: create the store and its key file; safe to run again.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the store and its key file (mode 0600); an existing key is never replaced.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        let (opened, report) = try Store.initialise(
            path: store.databasePath, keyFilePath: store.keyFilePath, logger: logger, clock: store.clock())
        output.printJSON(
            Summary(
                database: opened.path, keyFile: opened.keyFilePath, createdDatabase: report.createdDatabase,
                createdKeyFile: report.createdKeyFile, schemaVersion: opened.schemaVersion))
        output.summary(
            """
            store \(opened.path): \(report.createdDatabase ? "created" : "already there, checked"), schema version \(opened.schemaVersion)
            key file \(opened.keyFilePath): \(report.createdKeyFile ? "created (mode 0600); keep it safe and out of backups of the store" : "already there, left alone; it opens this store")
            """)
    }
}

private struct Summary: Encodable {
    var database: String
    var keyFile: String
    var createdDatabase: Bool
    var createdKeyFile: Bool
    var schemaVersion: Int
}
