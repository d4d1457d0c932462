/// The fields of a user list, whatever the file calls them.
import MFAStore

public enum UserField: String, CaseIterable, Sendable {
    case organisation, environment, username, email, displayName, givenName, familyName, roles, userType, status

    /// The name used in messages, reject files and `--map`.
    public var name: String {
        switch self {
        case .displayName: "display_name"
        case .givenName: "given_name"
        case .familyName: "family_name"
        case .userType: "user_type"
        default: rawValue
        }
    }

    /// The element name in the XML user list.
    public var xmlElement: String { rawValue }

    /// Header names exports use for this field, compared by `matchingKey`.
    var aliases: [String] {
        switch self {
        case .organisation:
            ["organisation", "organization", "org", "orgcode", "organisationcode", "organizationcode", "odscode", "practicecode"]
        case .environment: ["environment", "env"]
        case .username: ["username", "login", "loginname", "loginid", "user", "userid", "account", "accountname"]
        case .email: ["email", "emailaddress", "mail"]
        case .displayName: ["displayname", "name", "fullname"]
        case .givenName: ["givenname", "firstname", "forename", "forenames"]
        case .familyName: ["familyname", "lastname", "surname"]
        case .roles: ["roles", "role", "userroles"]
        case .userType: ["usertype", "type", "accounttype"]
        case .status: ["status", "accountstatus", "userstatus", "state"]
        }
    }

    /// The field a name (a header, or the left side of `--map`) means, if any.
    public init?(matching text: some StringProtocol) {
        let key = text.matchingKey
        guard let field = Self.allCases.first(where: { $0.aliases.contains(key) || $0.name.matchingKey == key }) else {
            return nil
        }
        self = field
    }
}

/// A user as read from a file, before validation: every value as written.
/// Stored properties rather than a dictionary: a million records should not mean a
/// million dictionary allocations.
public struct RawUserRecord: Sendable {
    public var location: SourceLocation
    public var organisation: String?
    public var environment: String?
    public var username: String?
    public var email: String?
    public var displayName: String?
    public var givenName: String?
    public var familyName: String?
    public var userType: String?
    public var status: String?
    /// Roles come as one separated text (CSV) or as repeated elements (XML).
    public var roles: [String] = []
    /// Problems found while reading (bad bytes, schema violations).
    public var problems: [Problem] = []

    public init(location: SourceLocation) { self.location = location }

    /// The single-valued fields; `roles` is set through its own property.
    public subscript(field: UserField) -> String? {
        get {
            switch field {
            case .organisation: organisation
            case .environment: environment
            case .username: username
            case .email: email
            case .displayName: displayName
            case .givenName: givenName
            case .familyName: familyName
            case .userType: userType
            case .status: status
            case .roles: roles.isEmpty ? nil : roles.joined(separator: ";")
            }
        }
        set {
            switch field {
            case .organisation: organisation = newValue
            case .environment: environment = newValue
            case .username: username = newValue
            case .email: email = newValue
            case .displayName: displayName = newValue
            case .givenName: givenName = newValue
            case .familyName: familyName = newValue
            case .userType: userType = newValue
            case .status: status = newValue
            case .roles: roles = newValue.map(RawUserRecord.splitRoles) ?? []
            }
        }
    }

    /// `Clinician; Organisation Admin` or `Clinician|Organisation Admin`.
    static func splitRoles(_ text: String) -> [String] {
        // On bytes: both separators are ASCII, and Character comparison costs a string
        // comparison per character.
        func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: ";") || byte == UInt8(ascii: "|") }
        guard text.allUTF8({ !isSeparator($0) }) else {
            return text.utf8.split(whereSeparator: isSeparator).map { String(Substring($0)) }
        }
        return [text]
    }
}
