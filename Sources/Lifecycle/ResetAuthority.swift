import MFAStore
import SQLiteDB

/// Who may "Reset MFA enrolment": an active login with the Organisation Admin role in
/// the same organisation and environment, or automation that says why.
public enum ResetAuthority: Sendable {
    case organisationAdmin(username: String)
    case system(reason: String)

    /// The actor recorded in the audit trail.
    public var actor: String {
        switch self {
        case .organisationAdmin(let username): username.lowercased()
        case .system(let reason): "system: \(reason)"
        }
    }

    /// Throws `notAuthorised` unless this authority may reset `target`.
    public func authorise(_ target: LoginReference, in database: Database) throws {
        guard case .organisationAdmin(let username) = self else { return }
        let admin = LoginReference(organisation: target.organisation, environment: target.environment, username: username)
        guard let row = try database.row(
            """
            SELECT l.status, l.roles FROM logins l JOIN organisations o ON o.id = l.organisation_id
            WHERE o.code = ? AND l.environment = ? AND l.username = ?
            """, [admin.organisation, admin.environment.rawValue, admin.username], read: { ($0.text(0), $0.text(1)) })
        else {
            throw Refusal.notAuthorised("\(admin.username) is not a login of \(target.organisation) in \(target.environment.displayName)")
        }
        guard row.0 == LoginStatus.active.rawValue else {
            throw Refusal.notAuthorised("\(admin.username) is a deleted login")
        }
        guard Role.parseStorage(row.1).contains(.organisationAdmin) else {
            throw Refusal.notAuthorised("\(admin.username) does not have the Organisation Admin role in \(target.organisation) \(target.environment.displayName)")
        }
    }
}
