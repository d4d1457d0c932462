import MFAStore
import SQLiteDB

/// A login as the platform names it: organisation, environment, username.
public struct LoginReference: Sendable, CustomStringConvertible {
    public var organisation: String
    public var environment: Environment
    public var username: String

    public init(organisation: String, environment: Environment, username: String) {
        self.organisation = organisation.uppercased()
        self.environment = environment
        self.username = username.lowercased()
    }

    public var description: String { "\(organisation) \(environment.displayName) \(username)" }
}

/// A login and its current enrolment, as one read.
struct LoginRecordRow {
    var loginID: Int64
    var displayName: String
    var status: LoginStatus
    var roles: [Role]
    var enrolment: EnrolmentRow?

    struct EnrolmentRow {
        var id: Int64
        var state: EnrolmentState
        var sealedSecret: [UInt8]
        var algorithm: String
        var digits: Int
        var period: Int
        var lastStep: Int64
        var failedAttempts: Int
        var lockedAt: Int64?
    }

    static func load(_ reference: LoginReference, in database: Database) throws -> LoginRecordRow? {
        try database.row(
            """
            SELECT l.id, l.display_name, l.status, l.roles,
                   e.id, e.state, e.sealed_secret, e.algorithm, e.digits, e.period, e.last_step, e.failed_attempts, e.locked_at
            FROM logins l JOIN organisations o ON o.id = l.organisation_id
            LEFT JOIN enrolments e ON e.login_id = l.id AND e.state IN ('pending', 'active')
            WHERE o.code = ? AND l.environment = ? AND l.username = ?
            """, [reference.organisation, reference.environment.rawValue, reference.username]
        ) { row in
            LoginRecordRow(
                loginID: row.int64(0), displayName: row.text(1), status: LoginStatus(rawValue: row.text(2)) ?? .deleted,
                roles: Role.parseStorage(row.text(3)),
                enrolment: row.isNull(4) ? nil : EnrolmentRow(
                    id: row.int64(4), state: EnrolmentState(rawValue: row.text(5)) ?? .pending, sealedSecret: row.blob(6),
                    algorithm: row.text(7), digits: row.int(8), period: row.int(9), lastStep: row.int64(10),
                    failedAttempts: row.int(11), lockedAt: row.optionalInt64(12)))
        }
    }
}
