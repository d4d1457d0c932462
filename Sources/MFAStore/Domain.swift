import Foundation
import SQLiteDB

/// A value people name in writing, in any case: `Live`, `LIVE`, ` sandpit `. Its raw
/// values are the names in lower-case ASCII.
public protocol NamedInAnyCase: RawRepresentable, CaseIterable where RawValue == String {}

extension NamedInAnyCase {
    @inlinable
    public init?(parsing text: some StringProtocol) {
        // Byte by byte, making no string: a user list names three of these on each of its
        // lines. Folding ASCII case is not all of Unicode's lower-casing (the Kelvin sign
        // lower-cases to k), so text that matches nothing is tried that way too.
        guard let match = text.withTrimmedUTF8(Self.named(byASCII:)) ?? Self(rawValue: String(text).trimmedWhitespace.lowercased())
        else { return nil }
        self = match
    }

    @inlinable
    static func named(byASCII bytes: UnsafeBufferPointer<UInt8>) -> Self? {
        allCases.first { candidate in
            var name = candidate.rawValue
            return name.withUTF8 { name in
                name.count == bytes.count && zip(name, bytes).allSatisfy { $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }
            }
        }
    }
}

/// A platform environment. Each login lives in exactly one; the same person has a
/// separate login, and a separate enrolment, per environment.
public enum Environment: String, NamedInAnyCase, Codable, Comparable, Sendable {
    case live, sandpit

    /// As the staff guide and the authenticator app show it.
    public var displayName: String {
        switch self {
        case .live: "Live"
        case .sandpit: "Sandpit"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum UserType: String, NamedInAnyCase, Codable, Sendable {
    case staff, patient, service
}

public enum LoginStatus: String, NamedInAnyCase, Codable, Sendable {
    case active, deleted
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
