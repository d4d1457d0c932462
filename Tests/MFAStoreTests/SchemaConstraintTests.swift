import Foundation
import Logging
import SQLiteDB
import TestSupport
import Testing

@testable import MFAStore

/// Each constraint is exercised with raw SQL, so the database itself is shown to refuse.
@Suite("schema constraints")
struct SchemaConstraintTests {
    let folder: TemporaryDirectory
    let store: Store
    var database: Database { store.database }

    init() throws {
        folder = try TemporaryDirectory("schema")
        (store, _) = try Store.initialise(path: folder.path("mfa.sqlite"), keyFilePath: folder.path("mfa.key"), logger: Logger(label: "t"))
        try database.execute(
            """
            INSERT INTO organisations (id, code, created_at) VALUES (1, 'RX1', 0), (2, 'RX2', 0);
            INSERT INTO logins (id, organisation_id, environment, username, display_name, user_type, status, created_at, updated_at)
            VALUES (1, 1, 'live', 'alice', 'Alice', 'staff', 'active', 0, 0),
                   (2, 1, 'sandpit', 'alice', 'Alice', 'staff', 'active', 0, 0);
            """)
    }

    func insertEnrolment(id: Int64, login: Int64, state: String = "pending", account: String? = nil, secret: Bool = true,
                         ended: Bool = false) throws {
        try database.run(
            """
            INSERT INTO enrolments (id, login_id, state, end_reason, sealed_secret, algorithm, digits, period, issuer,
                                    account_name, created_at, activated_at, ended_at, recovery_codes, recovery_codes_issued)
            VALUES (?, ?, ?, ?, ?, 'sha1', 6, 30, 'Inhealthcare Live', ?, 0, ?, ?, ?, 10)
            """,
            [id, login, state, ended ? "reset" : nil, secret ? [UInt8](repeating: 1, count: 48) : nil,
             account ?? "alice (Live) #\(id)", state == "active" ? Int64(1) : nil, ended ? Int64(2) : nil,
             secret ? [UInt8](repeating: 2, count: 179) : nil])
    }

    func expectConstraint(_ sql: String, _ arguments: [any SQLBindable] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: DatabaseError.self, sourceLocation: sourceLocation) { try database.run(sql, arguments) }
        #expect(error?.isConstraintViolation == true, sourceLocation: sourceLocation)
    }

    @Test("the login key (organisation, environment, username) is unique")
    func uniqueLoginKey() throws {
        expectConstraint(
            """
            INSERT INTO logins (organisation_id, environment, username, display_name, user_type, status, created_at, updated_at)
            VALUES (1, 'live', 'alice', 'Alice Again', 'staff', 'active', 0, 0)
            """)
        // The same username in another organisation is a different login.
        try database.run(
            """
            INSERT INTO logins (organisation_id, environment, username, display_name, user_type, status, created_at, updated_at)
            VALUES (2, 'live', 'alice', 'Alice', 'staff', 'active', 0, 0)
            """)
    }

    @Test("a second current enrolment for one login fails in the database itself")
    func oneCurrentEnrolment() throws {
        try insertEnrolment(id: 1, login: 1)
        let error = #expect(throws: DatabaseError.self) { try insertEnrolment(id: 2, login: 1, state: "active") }
        #expect(error?.message.contains("enrolments.login_id") == true)
        // An ended enrolment beside a current one is history, and allowed.
        try insertEnrolment(id: 3, login: 1, state: "ended", secret: false, ended: true)
        try insertEnrolment(id: 4, login: 1, state: "expired", secret: false, ended: true)
    }

    @Test("two current enrolments may not share an account name")
    func uniqueAccountName() throws {
        try insertEnrolment(id: 1, login: 1, account: "alice (Live)")
        #expect(throws: DatabaseError.self) { try insertEnrolment(id: 2, login: 2, account: "alice (Live)") }
        try insertEnrolment(id: 3, login: 2, account: "alice (Sandpit)")
    }

    @Test("states and their invariants are checked", arguments: [
        "UPDATE enrolments SET state = 'paused'",
        "UPDATE enrolments SET sealed_secret = NULL",
        "UPDATE enrolments SET state = 'active'",
        "UPDATE enrolments SET state = 'expired', sealed_secret = NULL",
        "UPDATE enrolments SET state = 'ended', end_reason = 'reset', ended_at = 2, sealed_secret = NULL",
        "UPDATE enrolments SET recovery_codes = x''",
        "UPDATE enrolments SET recovery_codes_issued = -1",
        "UPDATE enrolments SET digits = 9",
        "UPDATE enrolments SET account_name = 'a:b'",
        "UPDATE logins SET status = 'deleted'",
        "UPDATE logins SET environment = 'staging'",
        "UPDATE logins SET user_type = 'robot'",
    ])
    func checks(sql: String) throws {
        try insertEnrolment(id: 1, login: 1)
        expectConstraint(sql)
    }

    @Test("foreign keys are enforced")
    func foreignKeys() throws {
        expectConstraint(
            """
            INSERT INTO logins (organisation_id, environment, username, display_name, user_type, status, created_at, updated_at)
            VALUES (99, 'live', 'bob', 'Bob', 'staff', 'active', 0, 0)
            """)
        #expect(throws: DatabaseError.self) { try insertEnrolment(id: 1, login: 99) }
        expectConstraint("INSERT INTO recovery_code_uses (enrolment_id, slot, used_at) VALUES (99, 0, 1)")
    }

    @Test("a failed store transaction leaves nothing behind")
    func rollbackLeavesNothing() throws {
        #expect(throws: DatabaseError.self) {
            try database.inTransaction {
                try insertEnrolment(id: 1, login: 1)
                try store.record(Event(kind: "test", actor: "test"))
                try insertEnrolment(id: 2, login: 1)
            }
        }
        #expect(try database.integer("SELECT count(*) FROM enrolments") == 0)
        #expect(try database.integer("SELECT count(*) FROM events") == 0)
    }
}
