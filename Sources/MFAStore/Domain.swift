import Foundation
import SQLiteDB

/// A platform environment. Each login lives in exactly one; the same person has a
/// separate login, and a separate enrolment, per environment.
public enum Environment: String, CaseIterable, Codable, Comparable, Sendable {
    case live, sandpit

    /// Accepts the names people write: `Live`, `LIVE`, ` sandpit `.
    public init?(parsing text: some StringProtocol) {
        self.init(rawValue: String(text).trimmedWhitespace.lowercasedFast)
    }

    /// As the staff guide and the authenticator app show it.
    public var displayName: String {
        switch self {
        case .live: "Live"
        case .sandpit: "Sandpit"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum UserType: String, CaseIterable, Codable, Sendable {
    case staff, patient, service

    public init?(parsing text: some StringProtocol) {
        self.init(rawValue: String(text).trimmedWhitespace.lowercasedFast)
    }
}

public enum LoginStatus: String, CaseIterable, Codable, Sendable {
    case active, deleted

    public init?(parsing text: some StringProtocol) {
        self.init(rawValue: String(text).trimmedWhitespace.lowercasedFast)
    }
}

/// `pending` until the first correct code, `active` after; `ended` by a reset,
/// `expired` by `mfa-expire`. Only pending and active enrolments are current.
public enum EnrolmentState: String, CaseIterable, Codable, Sendable {
    case pending, active, ended, expired

    public var isCurrent: Bool { self == .pending || self == .active }
}

public enum EndReason: String, CaseIterable, Codable, Sendable {
    case reset
    case userDeleted = "user-deleted"
    case neverActivated = "never-activated"
}

/// A platform role, by its display name ("Organisation Admin"). Matching ignores case
/// and spacing, so `organisation admin` and `OrganisationAdmin` are the same role.
public struct Role: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public static let organisationAdmin = Role("Organisation Admin")

    /// The roles the platform defines; a configuration may add more.
    public static let platformRoles: [Role] = [
        organisationAdmin, Role("Clinician"), Role("Nurse"), Role("Care Coordinator"), Role("Administrator"),
        Role("Reporting User"), Role("Pharmacist"), Role("Receptionist"), Role("Read Only"),
    ]

    public let name: String

    public init(_ name: String) { self.name = name }

    /// What roles are matched by: case and spacing ignored.
    public var key: String { name.matchingKey }

    public var description: String { name }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.name < rhs.name }
    public static func == (lhs: Role, rhs: Role) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// Roles are stored in one column, sorted, separated by `|`.
    public static let storageSeparator: Character = "|"

    public static func storageText(_ roles: [Role]) -> String {
        if roles.count <= 1 { return roles.first?.name ?? "" }
        return roles.map(\.name).sorted().joined(separator: String(storageSeparator))
    }

    public static func parseStorage(_ text: String) -> [Role] {
        text.split(separator: storageSeparator).map { Role(String($0)) }
    }
}

/// The organisation and environment a run is narrowed to, as an SQL condition on logins
/// aliased `l` joined to organisations aliased `o`.
public struct LoginScope: Sendable {
    public var organisation: String?
    public var environment: Environment?

    public init(organisation: String?, environment: Environment?) {
        self.organisation = organisation?.uppercasedFast
        self.environment = environment
    }

    /// ` AND o.code = ? AND l.environment = ?`, as far as the scope goes, with its arguments.
    public var sql: (condition: String, arguments: [any SQLBindable]) {
        var condition = ""
        var arguments: [any SQLBindable] = []
        if let organisation {
            condition += " AND o.code = ?"
            arguments.append(organisation)
        }
        if let environment {
            condition += " AND l.environment = ?"
            arguments.append(environment.rawValue)
        }
        return (condition, arguments)
    }
}
