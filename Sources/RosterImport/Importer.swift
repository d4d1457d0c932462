import Foundation
import Logging
import MFAStore
import SQLiteDB

/// What to import and how.
public struct ImportOptions: Sendable {
    public var files: [String]
    public var format: UserListFormat?
    public var organisation: String?
    public var environment: Environment?
    public var headerMap: [UserField: String] = [:]
    public var skipInvalid = false
    public var rejectFile: String?
    public var fullRoster = false
    public var maxDeleteFraction = 0.10
    public var allowMassDelete = false
    public var dryRun = false

    public init(files: [String]) { self.files = files }
}

/// One change an import makes (or, with `--dry-run`, would make).
public struct LoginChange: Sendable, Encodable {
    public enum Action: String, Sendable, Encodable { case add, update, delete, restore }
    public var action: Action
    public var organisation: String
    public var environment: Environment
    public var username: String
    /// For updates: the fields that change.
    public var fields: [String]
    /// Why a deletion happens.
    public var reason: String?
    public var location: String?
}

public struct ImportCounts: Sendable, Encodable, Equatable {
    public var records = 0
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    public var deleted = 0
    public var rejected = 0

    public init() {}

    static func + (lhs: ImportCounts, rhs: ImportCounts) -> ImportCounts {
        var sum = lhs
        sum.records += rhs.records
        sum.added += rhs.added
        sum.updated += rhs.updated
        sum.unchanged += rhs.unchanged
        sum.deleted += rhs.deleted
        sum.rejected += rhs.rejected
        return sum
    }
}

public struct ImportSummary: Sendable, Encodable {
    public struct File: Sendable, Encodable {
        public var file: String
        public var sha256: String
        public var format: String
        public var counts: ImportCounts
        public var batchID: Int64?
    }

    public var files: [File] = []
    /// Logins of covered organisations marked deleted because a full roster left them out.
    public var deletedAbsent = 0
    public var totals = ImportCounts()
    public var dryRun = false
    public var fullRoster = false
    public var rejectFile: String?
    public var seconds = 0.0
}

/// Reads user lists into the store: validated, idempotent, all or nothing.
///
/// Each file is read on a second thread (parsing and validation) while this one applies
/// the records inside one write transaction; any invalid record (unless skipping them),
/// any file problem, or a suspicious full-roster deletion rolls the whole run back.
public final class Importer {
    private let store: Store
    private let configuration: Configuration
    private let logger: Logger
    private var database: Database { store.database }

    /// Called as bytes are read: (bytes so far in this run, total bytes of all files).
    public var onProgress: ((Int64, Int64) -> Void)?
    /// Called for every change, as it is made or (dry run) would be made.
    public var onChange: ((LoginChange) -> Void)?

    /// Page cache while importing, in KiB. Logins are found through the run's key
    /// table rather than the key index, and rows by id in roughly file order, so a small
    /// cache costs nothing measurable (8 MiB and 64 MiB took the same time for a million
    /// logins).
    static let cacheKiB = 8 * 1024

    public init(store: Store, configuration: Configuration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public func run(_ options: ImportOptions) throws -> ImportSummary {
        guard !options.files.isEmpty else { throw ImportError.invalidOption("name at least one file to import") }
        guard (0...1).contains(options.maxDeleteFraction) else {
            throw ImportError.invalidOption("--max-delete-fraction must be between 0 and 1")
        }
        let formats = try options.files.map { file throws(ImportError) -> UserListFormat in
            guard let format = options.format ?? UserListFormat(path: file) else { throw .unknownFormat(path: file) }
            return format
        }
        let start = DispatchTime.now().uptimeNanoseconds
        // Into an empty store, load without the key index and build it once at the end:
        // the run finds logins through its own key table, not the index.
        let bulkLoad = try database.integer("SELECT EXISTS (SELECT 1 FROM logins)") == 0
        var (summary, rejected) = try attempt(options, formats: formats, bulkLoad: bulkLoad)
        if options.skipInvalid, let rejectFile = options.rejectFile, !rejected.isEmpty, !options.dryRun {
            try RejectFile.write(rejected, to: rejectFile)
            summary.rejectFile = rejectFile
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    /// One pass over the files in one transaction.
    private func attempt(
        _ options: ImportOptions, formats: [UserListFormat], bulkLoad: Bool
    ) throws -> (ImportSummary, [ValidationFailure]) {
        let totalBytes = options.files.reduce(Int64(0)) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
        var summary = ImportSummary(dryRun: options.dryRun, fullRoster: options.fullRoster)
        var rejected: [ValidationFailure] = []
        var bytesBefore: Int64 = 0
        try database.execute("PRAGMA cache_size = -\(Self.cacheKiB)")
        do {
            try database.inTransaction(.immediate) {
                if bulkLoad { try database.execute("DROP INDEX \(Schema.loginKeyIndexName)") }
                var run = try ImportRun(store: store, options: options, now: store.now)
                run.onChange = onChange
                for (fileIndex, (file, format)) in zip(options.files, formats).enumerated() {
                    let startedAt = store.now
                    let result = try readFile(file, format: format, fileIndex: fileIndex, options: options, run: &run) { bytes in
                        self.onProgress?(bytesBefore + bytes, totalBytes)
                    }
                    bytesBefore += result.bytes
                    result.notes.forEach { logger.notice("\($0)") }
                    rejected.append(contentsOf: result.rejected)
                    var fileSummary = ImportSummary.File(file: file, sha256: result.digest, format: format.rawValue, counts: result.counts)
                    if run.problems.isEmpty || options.skipInvalid {
                        fileSummary.batchID = try recordBatch(fileSummary, mode: options.fullRoster ? "full-roster" : "upsert", startedAt: startedAt)
                    }
                    summary.files.append(fileSummary)
                }
                if bulkLoad {
                    // The reading stages are done: the index's sort may use both cores. Its
                    // runs fit a core's cache when the page cache is small (0.9 s for a
                    // million logins against 1.1 s with 8 MiB and one helper thread).
                    try database.execute("PRAGMA threads = 2; PRAGMA cache_size = -2048")
                    try database.execute(Schema.loginKeyIndex)
                }
                if !run.fileProblems.isEmpty { throw ImportError.rejected(Self.ordered(run.fileProblems + run.problems, files: options.files)) }
                if !options.skipInvalid && !run.problems.isEmpty { throw ImportError.rejected(Self.ordered(run.problems, files: options.files)) }
                if options.fullRoster {
                    summary.deletedAbsent = try run.deleteAbsentLogins()
                }
                summary.totals = summary.files.reduce(ImportCounts()) { $0 + $1.counts }
                summary.totals.deleted += summary.deletedAbsent
                if options.dryRun { throw DryRunRollback() }
            }
        } catch is DryRunRollback {
            // The transaction has rolled back: a dry run writes nothing.
        }
        return (summary, rejected)
    }

    /// Problems in file order, then line order; a stable sort keeps a line's problems in field order.
    private static func ordered(_ problems: [Problem], files: [String]) -> [Problem] {
        let fileOrder = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return problems.enumerated().sorted { left, right in
            let l = (fileOrder[left.element.location.file] ?? 0, left.element.location.line, left.offset)
            let r = (fileOrder[right.element.location.file] ?? 0, right.element.location.line, right.offset)
            return l < r
        }.map(\.element)
    }

    private struct FileResult {
        var counts: ImportCounts
        var digest: String
        var bytes: Int64
        var notes: [String]
        var rejected: [ValidationFailure]
    }

    /// Reads one file on one thread, validates its records on another, and applies them
    /// here: three stages, so parsing, validation and SQLite share the cores.
    private func readFile(
        _ path: String, format: UserListFormat, fileIndex: Int, options: ImportOptions, run: inout ImportRun,
        progress: (Int64) -> Void
    ) throws -> FileResult {
        let rawRecords = Channel<ReaderMessage>(capacity: 8)
        let validated = Channel<ReaderMessage>(capacity: 8)
        let spentRecords = ReturnQueue<[ReaderMessage.ValidRecord]>()
        let validator = RecordValidator(
            organisationOption: options.organisation, environmentOption: options.environment,
            knownRoles: configuration.knownRoles)
        let supplied = Set<UserField>(
            [options.organisation.map { _ in .organisation }, options.environment.map { _ in .environment }].compactMap { $0 })
        let headerMap = options.headerMap
        let reader = StageThread {
            Self.read(path: path, format: format, headerMap: headerMap, supplied: supplied, into: rawRecords)
        }
        let validating = StageThread {
            Self.validate(from: rawRecords, with: validator, into: validated, returning: spentRecords)
        }
        defer {
            // Unblock and wait for both stages, whether this stage finished or failed.
            rawRecords.cancel()
            validated.cancel()
            reader.join()
            validating.join()
        }

        var counts = ImportCounts()
        var rejected: [ValidationFailure] = []
        while true {
            switch validated.receive() {
            case .raw?, nil:
                preconditionFailure("the validation stage forwards only validated batches, and only this stage cancels")
            case .validated(var batch, let bytes)?:
                counts.records += batch.valid.count + batch.failures.count
                var failures = batch.failures[...]
                func takeFailures(before position: Int) {
                    while let (before, failure) = failures.first, before <= position {
                        failures.removeFirst()
                        counts.rejected += 1
                        run.problems.append(contentsOf: failure.problems)
                        run.protect(failure.record)
                        if options.skipInvalid { rejected.append(failure) }
                    }
                }
                run.warmKeys(forTags: batch.tags)
                var spent: [ReaderMessage.ValidRecord] = []
                spent.reserveCapacity(batch.valid.count)
                try batch.valid.removeEach { valid in
                    takeFailures(before: spent.count)
                    if let duplicate = try run.apply(valid.record, hashes: valid.hashes, fileIndex: fileIndex, counts: &counts) {
                        counts.rejected += 1
                        run.problems.append(contentsOf: duplicate.problems)
                        if options.skipInvalid { rejected.append(duplicate) }
                    }
                    spent.append(valid)
                }
                takeFailures(before: spent.count)
                spentRecords.put(spent)
                progress(bytes)
            case .end(let end)?:
                if let error = end.error { throw error }
                try run.insertPendingAdds()
                run.fileProblems.append(contentsOf: end.fileProblems)
                if end.fileProblems.isEmpty && counts.records == 0 {
                    run.fileProblems.append(Problem(SourceLocation(file: path, line: 1), field: nil, "no user records; an import of nothing is refused"))
                }
                return FileResult(counts: counts, digest: end.digest, bytes: end.bytes, notes: end.notes, rejected: rejected)
            }
        }
    }

    /// The first stage: records as read, in batches.
    private static func read(
        path: String, format: UserListFormat, headerMap: [UserField: String], supplied: Set<UserField>,
        into channel: Channel<ReaderMessage>
    ) {
        var end = ReaderMessage.End()
        do {
            let reader: any UserListReader =
                switch format {
                case .csv: try CSVUserListReader(path: path, displayName: path, headerMap: headerMap, suppliedFields: supplied)
                case .xml: try XMLUserListReader(path: path, displayName: path)
                }
            var batch = Batch<RawUserRecord>(capacity: batchSize)
            var cancelled = false
            try reader.readRecords { raw in
                batch.append(raw)
                guard batch.count == batchSize else { return true }
                // Handed over whole, so that the next stage holds its only reference.
                var full = Batch<RawUserRecord>(capacity: batchSize)
                swap(&full, &batch)
                cancelled = !channel.send(.raw(consume full, bytes: reader.bytesDelivered))
                return !cancelled
            }
            if cancelled { return }
            if batch.count > 0 { guard channel.send(.raw(batch, bytes: reader.bytesDelivered)) else { return } }
            end.fileProblems = reader.fileProblems
            end.notes = reader.notes
            end.digest = reader.input.digest()
            end.bytes = reader.input.bytesRead
        } catch {
            end.error = error
        }
        channel.send(.end(end))
    }

    /// The second stage: each batch validated, in order. Records the last stage has
    /// applied come back to be freed here, off the applying thread.
    private static func validate(
        from input: Channel<ReaderMessage>, with validator: RecordValidator, into output: Channel<ReaderMessage>,
        returning spent: ReturnQueue<[ReaderMessage.ValidRecord]>
    ) {
        defer { spent.drain() }
        while true {
            spent.drain()
            switch input.receive() {
            case nil:
                return
            case .raw(var records, let bytes)?:
                var batch = ReaderMessage.ValidatedBatch(valid: Batch(capacity: records.count))
                records.removeEach { raw in
                    switch validator.validate(raw) {
                    case .success(let record):
                        let hashes = LoginKeyTable.Hashes(record)
                        batch.tags.append(hashes.tag)
                        batch.valid.append(ReaderMessage.ValidRecord(record: record, hashes: hashes))
                    case .failure(let failure):
                        batch.failures.append((before: batch.valid.count, failure))
                    }
                }
                guard output.send(.validated(consume batch, bytes: bytes)) else { return }
            case .validated?:
                preconditionFailure("the reading stage sends only raw batches")
            case .end(let end)?:
                output.send(.end(end))
                return
            }
        }
    }

    private static let batchSize = 512

    private func recordBatch(_ file: ImportSummary.File, mode: String, startedAt: Int64) throws -> Int64 {
        let counts = file.counts
        try database.run(
            """
            INSERT INTO import_batches (file_name, sha256, format, mode, records, added, updated, unchanged, deleted,
                                        rejected, started_at, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [file.file, file.sha256, file.format, mode, counts.records, counts.added, counts.updated, counts.unchanged,
             counts.deleted, counts.rejected, startedAt, store.now])
        let batchID = database.lastInsertedRowID
        try store.record(
            Event(
                kind: "import.completed", actor: "mfa-import",
                detail: [
                    "batch": .integer(batchID), "file": .text(file.file), "sha256": .text(file.sha256), "mode": .text(mode),
                    "records": .integer(Int64(counts.records)), "added": .integer(Int64(counts.added)),
                    "updated": .integer(Int64(counts.updated)), "unchanged": .integer(Int64(counts.unchanged)),
                    "deleted": .integer(Int64(counts.deleted)), "rejected": .integer(Int64(counts.rejected)),
                ]))
        return batchID
    }
}

/// Thrown to roll back a dry run's transaction; never escapes `Importer.run`.
struct DryRunRollback: Error {}

/// What the import's stages pass along: batches of records with the bytes read so far,
/// then the file's end.
enum ReaderMessage: Sendable {
    struct ValidRecord: Sendable {
        var record: LoginRecord
        var hashes: LoginKeyTable.Hashes
    }

    /// A batch's valid records with their hashes, and its invalid ones, each with the
    /// number of valid records that came before it in the file.
    struct ValidatedBatch: Sendable {
        var valid: Batch<ValidRecord>
        /// The valid records' key tags, in the same order, apart from the records so
        /// that warming the key table for them reads (and copies) no record.
        var tags: [UInt32] = []
        var failures: [(before: Int, ValidationFailure)] = []
    }

    struct End: Sendable {
        var fileProblems: [Problem] = []
        var notes: [String] = []
        var digest = ""
        var bytes: Int64 = 0
        var error: ImportError?
    }

    case raw(Batch<RawUserRecord>, bytes: Int64)
    case validated(ValidatedBatch, bytes: Int64)
    case end(End)
}
