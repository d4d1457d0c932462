import CSQLite
import Foundation

/// SQLite's SQLITE_TRANSIENT: it copies bound text and blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Texts for a statement's parameters, copied end to end, each with a NUL after it, into
/// one buffer that `Statement.withBound` has SQLite read in place (`SQLITE_STATIC`).
/// Binding a string copies it into a buffer SQLite allocates, and again, NUL-terminated,
/// for every `length()` in a CHECK constraint; a terminated text bound in place is copied
/// only into its row.
public struct TextParameters {
    fileprivate var bytes: [UInt8] = []
    /// The byte count is -1 for a text without NULs, which SQLite then reads up to its
    /// terminator and knows to be terminated.
    fileprivate var slots: [(index: Int32, start: Int, count: Int32)] = []

    public init() {}

    /// Empties the parameters, keeping their storage for the next statement's.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
    }

    public mutating func append(_ text: String, at index: Int32) {
        let start = bytes.count
        var hasNUL = false
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            bytes.append(contentsOf: utf8)
            hasNUL = utf8.contains(0)
        }
        if copied == nil {
            bytes.append(contentsOf: text.utf8)
            hasNUL = text.utf8.contains(0)
        }
        slots.append((index, start, hasNUL ? Int32(bytes.count - start) : -1))
        bytes.append(0)
    }
}

/// Owns one prepared statement. Columns and parameters are numbered from 0 and 1,
/// as in SQLite's own API.
public final class Statement {
    public let sql: String
    private let handle: OpaquePointer
    /// The connection's raw handle, for error messages. Valid for the statement's whole
    /// life: `sqlite3_close_v2` keeps a connection alive until its statements are finalized.
    private let connection: OpaquePointer

    init(connection: OpaquePointer, sql: String) throws(DatabaseError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw DatabaseError(connection: connection, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    private func check(_ code: Int32) throws(DatabaseError) {
        guard code == SQLITE_OK else { throw DatabaseError(connection: connection, sql: sql) }
    }

    // MARK: Binding

    public func bind(_ arguments: [any SQLBindable]) throws(DatabaseError) {
        for (offset, argument) in arguments.enumerated() {
            try argument.bind(to: self, at: Int32(offset + 1))
        }
    }

    public func bindNull(at index: Int32) throws(DatabaseError) {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: Int64, at index: Int32) throws(DatabaseError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ value: Double, at index: Int32) throws(DatabaseError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    public func bind(_ value: String, at index: Int32) throws(DatabaseError) {
        // The bytes in place where the string has them contiguous (always, for a native
        // string), rather than through `withUTF8`, which needs a mutable copy.
        let code = value.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in
                // An empty buffer has no address, and a NULL pointer would bind NULL, not ''.
                guard let address = text.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, transient) }
                return sqlite3_bind_text(handle, index, address, Int32(text.count), transient)
            }
        }
        guard let code else { return try bind(String(decoding: Array(value.utf8), as: UTF8.self), at: index) }
        try check(code)
    }

    public func bind(blob value: [UInt8], at index: Int32) throws(DatabaseError) {
        let code = value.withUnsafeBytes { bytes in
            // A zero-length blob, not NULL, for an empty array.
            sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), transient)
        }
        try check(code)
    }

    /// Binds `texts` where they lie for the length of `body`, then clears every binding, so
    /// that SQLite never reads them once they are gone.
    public func withBound<Result>(_ texts: TextParameters, _ body: () throws(DatabaseError) -> Result) throws(DatabaseError) -> Result {
        defer { sqlite3_clear_bindings(handle) }
        let result = texts.bytes.withUnsafeBytes { buffer -> Swift.Result<Result, DatabaseError> in
            do throws(DatabaseError) {
                // Every text adds at least its NUL, so there are bytes whenever there are texts.
                if let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) {
                    for slot in texts.slots {
                        try check(sqlite3_bind_text(handle, slot.index, base + slot.start, slot.count, nil))
                    }
                }
                return .success(try body())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The index of a named parameter (`:name`), or 0 if the statement has none by that name.
    public func parameterIndex(_ name: String) -> Int32 { sqlite3_bind_parameter_index(handle, name) }

    /// The number of parameters, counting each named one once (its largest index).
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    // MARK: Stepping

    /// Advances to the next row: true while there is one, false when done.
    @discardableResult
    public func step() throws(DatabaseError) -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE {
            sqlite3_reset(handle)
            return false
        }
        // The step's error is reported again by reset; read the message first.
        let error = DatabaseError(connection: connection, sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// Runs a statement that returns no rows.
    public func run() throws(DatabaseError) {
        while try step() {}
    }

    /// Rewinds the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns of the current row

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// A text column's UTF-8 bytes in place (nil for NULL), valid only inside `body`:
    /// for reading a million rows without making a string of each.
    public func withTextBytes<Result>(_ column: Int32, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        guard !isNull(column) else { return body(nil) }
        let start = sqlite3_column_text(handle, column)
        return body(UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column))))
    }

    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
}

/// A Swift value that can be bound to a statement parameter.
public protocol SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws(DatabaseError)
}

extension Int64: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(self, at: index) }
}

extension Int: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(Int64(self), at: index) }
}

extension Bool: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(Int64(self ? 1 : 0), at: index) }
}

extension Double: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(self, at: index) }
}

extension String: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(self, at: index) }
}

extension Substring: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(String(self), at: index) }
}

extension Array: SQLBindable where Element == UInt8 {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) { try statement.bind(blob: self, at: index) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public func bind(to statement: Statement, at index: Int32) throws(DatabaseError) {
        switch self {
        case .some(let value): try value.bind(to: statement, at: index)
        case .none: try statement.bindNull(at: index)
        }
    }
}
