import Foundation
import Logging
import MFAStore

public enum ReportFormat: String, CaseIterable, Sendable { case csv, json, html }

public struct ReportOptions: Sendable {
    public var scope: ReportScope
    public var feeds: [Feed] = Feed.allCases
    public var formats: [ReportFormat] = ReportFormat.allCases
    public var outputDirectory: String

    public init(scope: ReportScope, outputDirectory: String) {
        self.scope = scope
        self.outputDirectory = outputDirectory
    }
}

public struct ReportSummary: Sendable, Encodable {
    public struct Written: Sendable, Encodable {
        public var feed: String
        public var format: String
        public var rows: Int
        public var file: String
        public var latest: String
    }

    public var asOf: String
    public var since: String
    public var files: [Written] = []
    public var seconds = 0.0
}

/// Writes the feeds: each file to a temporary name and renamed into place, so a reader
/// never sees half a file; a dated name per run and a stable `-latest` name per feed.
public struct Reporter {
    let store: Store
    let policy: EnrolmentPolicy
    let logger: Logger

    public init(store: Store, policy: EnrolmentPolicy, logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
    }

    public func run(_ options: ReportOptions) throws -> ReportSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        let scope = options.scope
        var summary = ReportSummary(asOf: Timestamp.isoDateTime(scope.asOf), since: Timestamp.isoDateTime(scope.since))
        try AtomicFile.makeDirectory(options.outputDirectory, mode: 0o750)
        try store.useBulkCache()
        let builder = ReportBuilder(store: store, policy: policy, scope: scope)
        // One read transaction: every feed sees the same store, however long it takes.
        let tables = try store.database.inTransaction(.deferred) {
            try builder.tables(options.formats.contains(.html) ? Feed.allCases : options.feeds)
        }
        logger.info("computed the feeds", metadata: ["seconds": "\(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)"])
        let stamp = Timestamp.isoDate(scope.asOf)
        for feed in options.feeds {
            let table = tables[feed]!
            for format in options.formats where format != .html {
                let content = format == .csv ? table.csv() : table.json(scope: scope)
                summary.files.append(try write(content, name: feed.rawValue, stamp: stamp, format: format, rows: table.rows.count, in: options.outputDirectory))
            }
        }
        if options.formats.contains(.html) {
            let html = Data(HTMLReport(scope: scope, tables: tables).render().utf8)
            summary.files.append(try write(html, name: "report", stamp: stamp, format: .html, rows: 0, in: options.outputDirectory))
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    private func write(_ data: Data, name: String, stamp: String, format: ReportFormat, rows: Int, in directory: String) throws -> ReportSummary.Written {
        let dated = "\(name)-\(stamp).\(format.rawValue)"
        let latest = "\(name)-latest.\(format.rawValue)"
        try AtomicFile.write(data, to: (directory as NSString).appendingPathComponent(dated), mode: 0o640)
        try AtomicFile.write(data, to: (directory as NSString).appendingPathComponent(latest), mode: 0o640)
        return ReportSummary.Written(feed: name, format: format.rawValue, rows: rows, file: dated, latest: latest)
    }
}
