import ArgumentParser
import CommandSupport
import Foundation
import MFAStore
import RosterImport

/// `mfa-import`: user lists into the store.
public struct ImportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-import",
        abstract: "Import user lists (CSV or XML) into the MFA store: validated, idempotent, all or nothing.",
        discussion: """
            Each login is keyed by organisation, environment and username. Importing the same file twice changes \
            nothing the second time. Any invalid record refuses the whole import (exit 3) and lists every problem \
            as file:line: field: message; the store is left exactly as it was.

            Exit codes: 0 done, 1 failure, 2 usage error, 3 input rejected, 4 another run holds the lock.
            """)

    @Argument(help: ArgumentHelp("User lists to import (.csv or .xml).", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Print the XSD of the XML user list (version 1) and exit.")
    var printSchema = false

    @Option(help: "The files' format, when their extension does not say: csv or xml.")
    var format: UserListFormat?

    @Option(name: .customLong("org"), help: ArgumentHelp("The organisation, for files without an organisation column.", valueName: "code"))
    var organisation: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("The environment (Live or Sandpit), for files without one; must agree where both give it.", valueName: "environment"))
    var environment: String?

    @Option(name: .customLong("map"), help: ArgumentHelp("Read a field from a differently named CSV column, e.g. --map username=\"Staff Login\".", valueName: "field=Header"))
    var mappings: [String] = []

    @Flag(help: "Import the valid records and leave out the invalid ones (exit 3 if any was left out).")
    var skipInvalid = false

    @Option(help: ArgumentHelp("With --skip-invalid: write the left-out records and their problems to this CSV.", valueName: "path"))
    var rejectFile: String?

    @Flag(help: "The files list every login of the organisations and environments they cover: mark the others deleted.")
    var fullRoster = false

    @Option(help: ArgumentHelp("With --full-roster: refuse if more than this share of an organisation's active logins would be deleted.", valueName: "fraction"))
    var maxDeleteFraction = 0.10

    @Flag(help: "With --full-roster: allow deleting more than --max-delete-fraction.")
    var allowMassDelete = false

    @Flag(help: "Report what would change and write nothing.")
    var dryRun = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func validate() throws {
        if printSchema { return }
        if files.isEmpty { throw ValidationError("name at least one user list to import") }
        if let environment, Environment(parsing: environment) == nil {
            throw ValidationError("--env '\(environment)' is not an environment; use Live or Sandpit")
        }
        if let organisation, organisation.isEmpty { throw ValidationError("--org must not be empty") }
        if rejectFile != nil && !skipInvalid { throw ValidationError("--reject-file needs --skip-invalid") }
        if !(0...1).contains(maxDeleteFraction) { throw ValidationError("--max-delete-fraction must be between 0 and 1") }
        if (allowMassDelete || maxDeleteFraction != 0.10) && !fullRoster {
            throw ValidationError("--allow-mass-delete and --max-delete-fraction need --full-roster")
        }
        _ = try headerMap()
    }

    private func headerMap() throws -> [UserField: String] {
        var map = [UserField: String]()
        for mapping in mappings {
            let parts = mapping.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw ValidationError("--map '\(mapping)' must look like field=Header")
            }
            guard let field = UserField(matching: parts[0]) else {
                throw ValidationError("--map: unknown field '\(parts[0])'; fields are \(UserField.allCases.map(\.name).joined(separator: ", "))")
            }
            map[field] = parts[1]
        }
        return map
    }

    public func run() throws {
        if printSchema {
            print(UserListSchema.xsd, terminator: "")
            return
        }
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-import", level: output.logLevel)
        let configuration = try store.loadConfiguration()
        let lock = try store.lockStore()
        defer { withExtendedLifetime(lock) {} }
        let opened = try store.openStore(logger: logger)

        var options = ImportOptions(files: files)
        options.format = format
        options.organisation = organisation
        options.environment = environment.flatMap(Environment.init(parsing:))
        options.headerMap = try headerMap()
        options.skipInvalid = skipInvalid
        options.rejectFile = rejectFile
        options.fullRoster = fullRoster
        options.maxDeleteFraction = maxDeleteFraction
        options.allowMassDelete = allowMassDelete
        options.dryRun = dryRun

        let importer = Importer(store: opened, configuration: configuration, logger: logger)
        let progress = ProgressBar(label: "importing (KiB)", total: nil, enabled: output.showsProgress)
        importer.onProgress = { bytes, total in progress.update(completed: Int(bytes / 1024), total: Int(total / 1024)) }
        var changes: [LoginChange] = []
        if dryRun {
            importer.onChange = { change in
                if output.json { changes.append(change) } else { output.summary(Self.describe(change, dryRun: true)) }
            }
        } else if output.verbose {
            importer.onChange = { change in output.summary(Self.describe(change, dryRun: false)) }
        }
        let summary = try importer.run(options)
        progress.finish()

        output.printJSON(JSONSummary(summary: summary, changes: dryRun ? changes : nil))
        for file in summary.files {
            output.summary("\(file.file): \(file.counts.records) records: \(Self.describe(file.counts))")
        }
        if summary.files.count > 1 { output.summary("total: \(Self.describe(summary.totals))") }
        if summary.deletedAbsent > 0 {
            output.summary("full roster: \(summary.deletedAbsent) logins absent from the list marked deleted")
        }
        if dryRun { output.summary("dry run: nothing was written") }
        if summary.totals.rejected > 0 {
            throw ImportError.partlyRejected(count: summary.totals.rejected, rejectFile: summary.rejectFile)
        }
    }

    static func describe(_ counts: ImportCounts) -> String {
        "added \(counts.added), updated \(counts.updated), unchanged \(counts.unchanged), deleted \(counts.deleted), rejected \(counts.rejected)"
    }

    static func describe(_ change: LoginChange, dryRun: Bool) -> String {
        let verb: String =
            switch change.action {
            case .add: dryRun ? "would add" : "added"
            case .update: dryRun ? "would update" : "updated"
            case .delete: dryRun ? "would delete" : "deleted"
            case .restore: dryRun ? "would restore" : "restored"
            }
        var line = "\(verb) \(change.organisation) \(change.environment.displayName) \(change.username)"
        if !change.fields.isEmpty { line += " (\(change.fields.joined(separator: ", ")))" }
        if let reason = change.reason { line += ": \(reason)" }
        if let location = change.location { line += " [\(location)]" }
        return line
    }
}

private struct JSONSummary: Encodable {
    var summary: ImportSummary
    var changes: [LoginChange]?

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        if let changes {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(changes, forKey: .changes)
        }
    }

    enum Key: String, CodingKey { case changes }
}

extension UserListFormat: ExpressibleByArgument {}
