import MFAStore
import SQLiteDB

/// Everything support needs to know about one login's MFA, and never its secret.
public struct LoginStatusReport: Sendable, Encodable {
    public var organisation: String
    public var environment: Environment
    public var username: String
    public var displayName: String
    public var loginStatus: LoginStatus
    public var roles: [String]
    public var enrolment: Enrolment?
    /// The ended and expired enrolments before the current one, newest first.
    public var previousEnrolments: Int

    public struct Enrolment: Sendable, Encodable {
        public var state: EnrolmentState
        public var accountName: String
        public var issuer: String
        public var createdAt: String
        public var activatedAt: String?
        public var sheetIssuedAt: String?
        public var lastUsedAt: String?
        public var lastUsedApp: String?
        public var recoveryCodesLeft: Int
        public var failedAttempts: Int
        public var lockedAt: String?
    }

    public static func load(_ reference: LoginReference, store: Store) throws -> LoginStatusReport {
        let database = store.database
        guard let login = try database.row(
            """
            SELECT l.id, l.display_name, l.status, l.roles FROM logins l JOIN organisations o ON o.id = l.organisation_id
            WHERE o.code = ? AND l.environment = ? AND l.username = ?
            """, [reference.organisation, reference.environment.rawValue, reference.username],
            read: { (id: $0.int64(0), name: $0.text(1), status: $0.text(2), roles: $0.text(3)) })
        else { throw Refusal.noSuchLogin(reference.description) }
        func time(_ value: Int64?) -> String? { value.map(Timestamp.isoDateTime) }
        let enrolment = try database.row(
            """
            SELECT e.state, e.account_name, e.issuer, e.created_at, e.activated_at, e.sheet_issued_at, e.last_used_at,
                   e.last_used_app, e.failed_attempts, e.locked_at,
                   e.recovery_codes_issued - (SELECT count(*) FROM recovery_code_uses u WHERE u.enrolment_id = e.id)
            FROM enrolments e WHERE e.login_id = ? AND e.state IN ('pending', 'active')
            """, [login.id]
        ) { row in
            Enrolment(
                state: EnrolmentState(rawValue: row.text(0)) ?? .pending, accountName: row.text(1), issuer: row.text(2),
                createdAt: Timestamp.isoDateTime(row.int64(3)), activatedAt: time(row.optionalInt64(4)),
                sheetIssuedAt: time(row.optionalInt64(5)), lastUsedAt: time(row.optionalInt64(6)), lastUsedApp: row.optionalText(7),
                recoveryCodesLeft: row.int(10), failedAttempts: row.int(8), lockedAt: time(row.optionalInt64(9)))
        }
        let previous = try database.integer(
            "SELECT count(*) FROM enrolments WHERE login_id = ? AND state IN ('ended', 'expired')", [login.id]) ?? 0
        return LoginStatusReport(
            organisation: reference.organisation, environment: reference.environment, username: reference.username,
            displayName: login.name, loginStatus: LoginStatus(rawValue: login.status) ?? .deleted,
            roles: Role.parseStorage(login.roles).map(\.name), enrolment: enrolment, previousEnrolments: Int(previous))
    }
}
