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
        // Two halves of the feeds on two connections that see one committed state, so
        // every feed describes the same store however long the run takes.
        let readers = try store.snapshotReaders(2).map(UnsafeSendable.init)
        let requested = options.formats.contains(.html) ? Feed.allCases : options.feeds
        let halves = [[Feed.usage, .recoveryCodes, .pendingTooLong], [.adoption, .adoptionByRole, .history, .noRecoveryCodesLeft]]
        let shares = (readers.count == 1 ? [halves.flatMap { $0 }] : halves).map { $0.filter(requested.contains) }
        let policy = policy
        let tables = try zip(shares, readers).map { ($0, $1) }.parallelMap { feeds, reader in
            try ReportBuilder(database: reader.value, policy: policy, scope: scope).tables(feeds)
        }.reduce(into: [Feed: FeedTable]()) { $0.merge($1) { first, _ in first } }
        logger.info("computed the feeds", metadata: ["seconds": "\(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)"])
        let stamp = Timestamp.isoDate(scope.asOf)
        let outputs: [(feed: Feed, format: ReportFormat)] = options.feeds.flatMap { feed in
            options.formats.filter { $0 != .html }.map { (feed, $0) }
        }
        // Written largest first, so the two cores finish together; listed in feed order.
        func size(_ index: Int) -> (Int, Int) { (tables[outputs[index].feed]!.rows.count, outputs[index].format == .json ? 1 : 0) }
        let directory = options.outputDirectory
        summary.files = try outputs.indices.sorted { size($0) > size($1) }.parallelMap { index in
            let (feed, format) = outputs[index]
            let table = tables[feed]!
            let written = try Self.write(name: feed.rawValue, stamp: stamp, format: format, rows: table.rows.count, in: directory) {
                (output: inout AtomicFile.Output) throws(AtomicFile.Failure) in
                if format == .csv { try table.writeCSV(to: &output) } else { try table.writeJSON(scope: scope, to: &output) }
            }
            return (index, written)
        }.sorted { $0.0 < $1.0 }.map(\.1)
        if options.formats.contains(.html) {
            let html = HTMLReport(scope: scope, tables: tables).render()
            summary.files.append(
                try Self.write(name: "report", stamp: stamp, format: .html, rows: 0, in: directory) {
                    (output: inout AtomicFile.Output) throws(AtomicFile.Failure) in try output.append(html)
                })
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    /// The dated file, written once, and the `latest` name linked to it.
    private static func write(
        name: String, stamp: String, format: ReportFormat, rows: Int, in directory: String,
        _ produce: (inout AtomicFile.Output) throws(AtomicFile.Failure) -> Void
    ) throws -> ReportSummary.Written {
        let dated = "\(name)-\(stamp).\(format.rawValue)"
        let latest = "\(name)-latest.\(format.rawValue)"
        let datedPath = (directory as NSString).appendingPathComponent(dated)
        try AtomicFile.write(to: datedPath, mode: 0o640, produce)
        let latestPath = (directory as NSString).appendingPathComponent(latest)
        // A file system without hard links gets a second copy instead.
        do { try AtomicFile.link(datedPath, to: latestPath) } catch { try AtomicFile.write(to: latestPath, mode: 0o640, produce) }
        return ReportSummary.Written(feed: name, format: format.rawValue, rows: rows, file: dated, latest: latest)
    }
}
