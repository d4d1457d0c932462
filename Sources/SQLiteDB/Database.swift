import CSQLite
import CSQLiteSupport
import Foundation

/// Owns one SQLite connection. Not thread-safe: use one per thread or task.
public final class Database {
    public struct Configuration: Sendable {
        public var readOnly = false
        /// How long a writer waits for another process's lock before SQLITE_BUSY.
        public var busyTimeoutMilliseconds: Int32 = 10_000
        public var foreignKeys = true
        public var writeAheadLog = true
        /// FULL makes a commit durable across power loss; NORMAL (in WAL) only across crashes.
        public var synchronousFull = true
        /// Zero deleted content, so erased secrets do not linger in free pages.
        public var secureDelete = true

        public init() {}
    }

    public enum TransactionKind: String, Sendable {
        /// Takes the write lock at BEGIN, so a writer never fails midway on a lock upgrade.
        case immediate = "BEGIN IMMEDIATE"
        case deferred = "BEGIN DEFERRED"
    }

    public let path: String
    let handle: OpaquePointer
    private var statementCache = [String: Statement]()

    /// Runs once, before the first connection: SQLite's global configuration is only
    /// honoured until it initialises.
    private static let configureSQLite: Void = mfa_sqlite_disable_memory_statistics()

    public init(path: String, configuration: Configuration = Configuration()) throws(DatabaseError) {
        Self.configureSQLite
        self.path = path
        var connection: OpaquePointer?
        let flags = (configuration.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(connection)
            throw DatabaseError(code: code, message: "cannot open \(path): \(message)")
        }
        handle = connection
        do {
            try check(sqlite3_busy_timeout(handle, configuration.busyTimeoutMilliseconds))
            try execute("PRAGMA foreign_keys = \(configuration.foreignKeys ? "ON" : "OFF")")
            if configuration.writeAheadLog && !configuration.readOnly {
                try execute("PRAGMA journal_mode = WAL")
            }
            try execute("PRAGMA synchronous = \(configuration.synchronousFull ? "FULL" : "NORMAL")")
            try execute("PRAGMA secure_delete = \(configuration.secureDelete ? "ON" : "OFF")")
        } catch {
            statementCache.removeAll()
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        // Statements must be finalized before the connection closes.
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Throws a `DatabaseError` with SQLite's own message unless `code` is SQLITE_OK.
    func check(_ code: Int32, sql: String? = nil) throws(DatabaseError) {
        guard code == SQLITE_OK else { throw DatabaseError(connection: handle, sql: sql) }
    }

    /// Runs one or more statements that bind nothing and return nothing worth reading.
    public func execute(_ sql: String) throws(DatabaseError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw DatabaseError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// A new prepared statement, owned by the caller.
    public func prepare(_ sql: String) throws(DatabaseError) -> Statement {
        try Statement(connection: handle, sql: sql)
    }

    /// A prepared statement kept for the life of the connection, reset and cleared
    /// of bindings for each use: the cheap way to run the same SQL many times.
    public func cached(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs one statement with `arguments` bound in order.
    public func run(_ sql: String, _ arguments: [any SQLBindable] = []) throws(DatabaseError) {
        let statement = try cached(sql)
        try statement.bind(arguments)
        try statement.run()
    }

    /// The rows of a query, each read by `read` while the row is current.
    public func rows<T>(_ sql: String, _ arguments: [any SQLBindable] = [], read: (Statement) throws -> T) throws -> [T] {
        let statement = try cached(sql)
        try statement.bind(arguments)
        var result = [T]()
        while try statement.step() { result.append(try read(statement)) }
        return result
    }

    /// The first row of a query, or nil when it returns none.
    public func row<T>(_ sql: String, _ arguments: [any SQLBindable] = [], read: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? read(statement) : nil
    }

    /// The first column of the first row as an integer (COUNT(*), MAX(id), …).
    public func integer(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int64? {
        try row(sql, arguments) { $0.isNull(0) ? nil : $0.int64(0) } ?? nil
    }

    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws,
    /// so a failed body leaves the database exactly as it was.
    @discardableResult
    public func inTransaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw DatabaseError(code: SQLITE_MISUSE, message: "a transaction is already open on this connection", sql: kind.rawValue)
        }
        try execute(kind.rawValue)
        let result: T
        do {
            result = try body()
            try execute("COMMIT")
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }
}
