import CSQLite
import Foundation
import TestSupport
import Testing

@testable import SQLiteDB

@Suite("SQLite connection and statements")
struct DatabaseTests {
    let folder: TemporaryDirectory
    let database: Database

    init() throws {
        folder = try TemporaryDirectory("sqlite")
        database = try Database(path: folder.path("test.sqlite"))
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, score REAL) STRICT")
    }

    @Test("every connection sets foreign keys, WAL and a busy timeout")
    func pragmas() throws {
        #expect(try database.integer("PRAGMA foreign_keys") == 1)
        #expect(try database.row("PRAGMA journal_mode") { $0.text(0) } == "wal")
        #expect(try database.integer("PRAGMA busy_timeout") == 10_000)
        #expect(try database.integer("PRAGMA synchronous") == 2)
    }

    @Test("values round-trip, and empty is not NULL")
    func values() throws {
        try database.run("INSERT INTO t (name, data, score) VALUES (?, ?, ?)", ["", [UInt8](), 1.5])
        try database.run("INSERT INTO t (name, data, score) VALUES (?, ?, ?)", [String?.none, [UInt8]?.none, Double?.none])
        try database.run("INSERT INTO t (name, data, score) VALUES (?, ?, ?)", ["Siân O'Brien ✓", [0, 255, 7], -2.0])
        let rows = try database.rows("SELECT name, data, score FROM t ORDER BY id") {
            ($0.optionalText(0), $0.optionalBlob(1), $0.isNull(2) ? nil : $0.double(2))
        }
        #expect(rows[0].0 == "" && rows[0].1 == [] && rows[0].2 == 1.5)
        #expect(rows[1].0 == nil && rows[1].1 == nil && rows[1].2 == nil)
        #expect(rows[2].0 == "Siân O'Brien ✓" && rows[2].1 == [0, 255, 7] && rows[2].2 == -2.0)
    }

    @Test("texts bound in place round-trip, NULs and all, satisfy length() checks, and are unbound afterwards")
    func textsBoundInPlace() throws {
        try database.execute("CREATE TABLE named (name TEXT NOT NULL CHECK (length(name) BETWEEN 0 AND 5), note TEXT) STRICT")
        let insert = try database.prepare("INSERT INTO named (name, note) VALUES (?, ?)")
        var texts = TextParameters()
        for (name, note) in [("", "a"), ("Siân", "a\u{0}b"), ("ü\u{0}ü", String(repeating: "x", count: 100_000))] {
            texts.removeAll()
            texts.append(name, at: 1)
            texts.append(note, at: 2)
            try insert.withBound(texts) { () throws(DatabaseError) in try insert.run() }
        }
        // Nothing stays bound to the texts' storage: a bare run binds NULL, which NOT NULL refuses.
        #expect(throws: DatabaseError.self) { try insert.run() }
        let rows = try database.rows("SELECT name, note, length(name) FROM named ORDER BY rowid") { ($0.text(0), $0.text(1), $0.int(2)) }
        #expect(rows.map(\.0) == ["", "Siân", "ü\u{0}ü"])
        #expect(rows.map(\.1) == ["a", "a\u{0}b", String(repeating: "x", count: 100_000)])
        // SQLite's length() counts characters up to the first NUL.
        #expect(rows.map(\.2) == [0, 4, 1])
        texts.removeAll()
        texts.append("toolong", at: 1)
        #expect(throws: DatabaseError.self) { try insert.withBound(texts) { () throws(DatabaseError) in try insert.run() } }
        #expect(try database.integer("SELECT count(*) FROM named") == 3)
    }

    @Test("errors carry the code, SQLite's message and the SQL, never the values")
    func errors() throws {
        let syntax = #expect(throws: DatabaseError.self) { try database.execute("SELEC nothing") }
        #expect(syntax?.primaryCode == SQLITE_ERROR)
        #expect(syntax?.sql == "SELEC nothing")
        #expect(syntax?.message.contains("syntax error") == true)

        try database.execute("CREATE TABLE u (name TEXT NOT NULL UNIQUE) STRICT")
        try database.run("INSERT INTO u VALUES (?)", ["secret-value"])
        let unique = #expect(throws: DatabaseError.self) { try database.run("INSERT INTO u VALUES (?)", ["secret-value"]) }
        #expect(unique?.isConstraintViolation == true)
        #expect(unique?.code == SQLITE_CONSTRAINT | (8 << 8))  // SQLITE_CONSTRAINT_UNIQUE
        #expect(unique?.localizedDescription.contains("INSERT INTO u") == true)
        #expect(unique?.localizedDescription.contains("secret-value") == false)
    }

    @Test("a transaction that throws leaves nothing behind")
    func rollback() throws {
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.inTransaction {
                try database.run("INSERT INTO t (name) VALUES ('a')")
                try database.run("INSERT INTO t (name) VALUES ('b')")
                throw Abort()
            }
        }
        #expect(try database.integer("SELECT count(*) FROM t") == 0)
        #expect(!database.isInTransaction)
        try database.inTransaction { try database.run("INSERT INTO t (name) VALUES ('c')") }
        #expect(try database.integer("SELECT count(*) FROM t") == 1)
    }

    @Test("a failing statement inside a transaction rolls back the earlier ones")
    func rollbackOnDatabaseError() throws {
        #expect(throws: DatabaseError.self) {
            try database.inTransaction {
                try database.run("INSERT INTO t (name) VALUES ('a')")
                try database.run("INSERT INTO t (id) VALUES ('not an integer')")
            }
        }
        #expect(try database.integer("SELECT count(*) FROM t") == 0)
    }

    @Test("nested transactions are refused rather than silently merged")
    func nesting() throws {
        #expect(throws: DatabaseError.self) {
            try database.inTransaction { try database.inTransaction {} }
        }
        #expect(!database.isInTransaction)
    }

    @Test("a writer holding BEGIN IMMEDIATE makes a second writer wait, then fail busy")
    func immediateWriters() throws {
        var configuration = Database.Configuration()
        configuration.busyTimeoutMilliseconds = 50
        let second = try Database(path: database.path, configuration: configuration)
        try database.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: DatabaseError.self) { try second.inTransaction { try second.run("INSERT INTO t (name) VALUES ('x')") } }
        #expect(error?.isBusy == true)
        try database.execute("ROLLBACK")
        try second.inTransaction { try second.run("INSERT INTO t (name) VALUES ('x')") }
        #expect(try database.integer("SELECT count(*) FROM t") == 1)
    }

    @Test("a file that is not a database is reported as such")
    func notADatabase() throws {
        let path = try folder.write("junk.sqlite", String(repeating: "not sqlite ", count: 200))
        let error = #expect(throws: DatabaseError.self) { try Database(path: path) }
        #expect(error?.isNotADatabase == true)
    }

    @Test("cached statements are reused and reset between uses")
    func cachedStatements() throws {
        for name in ["a", "b", "c"] { try database.run("INSERT INTO t (name) VALUES (?)", [name]) }
        #expect(try database.row("SELECT name FROM t WHERE name > ? ORDER BY name", ["a"]) { $0.text(0) } == "b")
        #expect(try database.row("SELECT name FROM t WHERE name > ? ORDER BY name", ["b"]) { $0.text(0) } == "c")
        #expect(try database.rows("SELECT name FROM t ORDER BY name") { $0.text(0) } == ["a", "b", "c"])
    }
}
