import ArgumentParser
import CommandSupport
import Foundation
import MFAStore
import Reporting

/// `mfa-report`: dashboard feeds and a report for people.
public struct ReportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-report",
        abstract: "Write MFA adoption and recovery-code feeds (CSV, JSON) and an HTML report.",
        discussion: """
            Feeds: \(Feed.allCases.map(\.rawValue).joined(separator: ", ")) (all when none is named). Files are \
            written to a temporary name and renamed into place, as FEED-DATE.FORMAT and FEED-latest.FORMAT. Nothing \
            is printed on stdout except the --json summary, so the command is quiet under cron.

            Exit codes: 0 done, 1 failure, 2 usage error, 4 another report run is writing to the same folder.
            """)

    @Argument(help: ArgumentHelp("Feeds to write.", valueName: "feed"))
    var feeds: [Feed] = []

    @Option(help: ArgumentHelp("Where the files go.", valueName: "dir"))
    var outputDir: String

    @Option(help: ArgumentHelp("Formats, comma-separated: csv, json, html.", valueName: "formats"))
    var format = "csv,json,html"

    @OptionGroup var scope: ScopeOptions

    @Option(help: ArgumentHelp("The moment the figures describe (ISO 8601; default now). Same store, same --as-of: same CSV and JSON.", valueName: "date"))
    var asOf: String?

    @Option(help: ArgumentHelp("The start of the period (ISO 8601).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("The period as a number of days before --as-of (default 30).", valueName: "n"))
    var days: Int?

    @Option(help: ArgumentHelp("Pending enrolments older than this many days count as pending too long.", valueName: "n"))
    var pendingDays = 14

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    private var formats: [ReportFormat] {
        format.split(separator: ",").compactMap { ReportFormat(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
    }

    public func validate() throws {
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let bad = names.first(where: { ReportFormat(rawValue: $0) == nil }) {
            throw ValidationError("--format: unknown format '\(bad)'; use csv, json and html")
        }
        if names.isEmpty { throw ValidationError("--format needs at least one of csv, json, html") }
        if let asOf, Timestamp.parse(asOf) == nil { throw ValidationError("--as-of '\(asOf)' is not an ISO 8601 date") }
        if let since, Timestamp.parse(since) == nil { throw ValidationError("--since '\(since)' is not an ISO 8601 date") }
        if since != nil && days != nil { throw ValidationError("give the period with --since or --days, not both") }
        if let days, days < 1 || days > 3660 { throw ValidationError("--days must be from 1 to 3660") }
        if pendingDays < 0 { throw ValidationError("--pending-days must not be negative") }
    }

    public func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-report", level: output.quiet ? .error : (output.verbose ? .info : .warning))
        let configuration = try store.loadConfiguration()
        let opened = try store.openStore(logger: logger)
        let asOfTime = asOf.flatMap(Timestamp.parse) ?? opened.now
        let sinceTime = since.flatMap(Timestamp.parse) ?? asOfTime - Int64(days ?? 30) * Timestamp.secondsPerDay
        guard sinceTime < asOfTime else { throw ValidationError("the period must start before --as-of") }

        try AtomicFile.makeDirectory(outputDir, mode: 0o750)
        let lock = try RunLock(path: (outputDir as NSString).appendingPathComponent(".mfa-report.lock"))
        defer { withExtendedLifetime(lock) {} }

        var options = ReportOptions(
            scope: ReportScope(
                asOf: asOfTime, since: sinceTime, organisation: scope.organisation, environment: scope.environment,
                pendingDays: pendingDays),
            outputDirectory: outputDir)
        options.feeds = feeds.isEmpty ? Feed.allCases : feeds
        options.formats = formats
        let summary = try Reporter(store: opened, policy: configuration.policy, logger: logger).run(options)
        output.printJSON(summary)
        logger.info("wrote \(summary.files.count) files to \(outputDir) in \(summary.seconds) s")
    }
}

extension Feed: ExpressibleByArgument {}
