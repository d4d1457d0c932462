import CSQLite
import Foundation

/// A failed SQLite call: its result code, SQLite's message and the SQL it ran.
/// Bound values are never included, since they can be secrets.
public struct DatabaseError: Error, Sendable, Equatable {
    /// The extended result code (https://www.sqlite.org/rescode.html).
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The error the connection's last call left.
    init(connection: OpaquePointer, sql: String?) {
        self.init(code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    public var primaryCode: Int32 { code & 0xFF }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    /// The file is not a database, or is damaged.
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT }
}

extension DatabaseError: LocalizedError {
    public var errorDescription: String? {
        var text = "SQLite error \(code): \(message)"
        if isBusy { text += " (another process holds the database; try again when it has finished)" }
        if let sql { text += " — while running: \(sql)" }
        return text
    }
}
