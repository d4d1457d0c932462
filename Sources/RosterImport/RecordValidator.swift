import Foundation
import MFAStore

/// A user that passed validation, in canonical form.
public struct LoginRecord: Sendable, Equatable {
    public var location: SourceLocation
    /// Upper case, as organisation codes are written.
    public var organisation: String
    public var environment: Environment
    /// Lower case: usernames are e-mail-like and matched without regard to case.
    public var username: String
    public var email: String?
    public var displayName: String
    /// Canonical names, sorted, no duplicates.
    public var roles: [Role] {
        didSet { rolesText = Role.storageText(roles) }
    }
    public var userType: UserType
    public var status: LoginStatus
    /// The roles as the store keeps them, computed once.
    public private(set) var rolesText: String

    public init(
        location: SourceLocation, organisation: String, environment: Environment, username: String, email: String?,
        displayName: String, roles: [Role], userType: UserType, status: LoginStatus
    ) {
        self.location = location
        self.organisation = organisation
        self.environment = environment
        self.username = username
        self.email = email
        self.displayName = displayName
        self.roles = roles
        self.userType = userType
        self.status = status
        self.rolesText = Role.storageText(roles)
    }
}

/// Checks raw records against the rules of a user list and puts them in canonical form.
struct RecordValidator {
    static let maxUsernameLength = 254
    static let maxEmailLength = 254
    static let maxNameLength = 200
    static let maxOrganisationLength = 32

    var organisationOption: String?
    var environmentOption: Environment?
    private let rolesByKey: [String: Role]
    /// Roles by the exact text files use: a list names the same few roles a million times.
    private let rolesByText: [String: Role]

    init(organisationOption: String?, environmentOption: Environment?, knownRoles: [Role]) {
        self.organisationOption = organisationOption?.uppercased()
        self.environmentOption = environmentOption
        rolesByKey = Dictionary(knownRoles.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        rolesByText = Dictionary(knownRoles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func validate(_ raw: RawUserRecord) -> Result<LoginRecord, ValidationFailure> {
        var problems = raw.problems
        let location = raw.location
        // A field already reported while reading (bad bytes, a schema violation) is not
        // reported again for what followed from it.
        let reported = Set(raw.problems.compactMap(\.field))
        func fail(_ field: UserField, _ message: String) {
            guard !reported.contains(field.name) else { return }
            problems.append(Problem(location, field: field.name, message))
        }

        // Organisation: from the file, or --org; both must agree.
        var organisation = raw.organisation?.uppercasedFast ?? organisationOption ?? ""
        if let fromFile = raw.organisation?.uppercasedFast, let option = organisationOption, fromFile != option {
            fail(.organisation, "'\(fromFile)' differs from --org \(option)")
        } else if organisation.isEmpty {
            fail(.organisation, "required; give it in the file or with --org")
        } else if !Self.isOrganisationCode(raw.organisation ?? organisation) {
            // Checked as written: upper-casing maps some non-ASCII letters to ASCII ones.
            fail(.organisation, "'\(raw.organisation ?? organisation)' is not an organisation code (letters, digits and hyphens, at most \(Self.maxOrganisationLength))")
            organisation = ""
        }

        var environment = environmentOption
        if let text = raw.environment {
            if let parsed = Environment(parsing: text) {
                if let option = environmentOption, option != parsed {
                    fail(.environment, "'\(text)' differs from --env \(option.displayName)")
                }
                environment = parsed
            } else {
                fail(.environment, "'\(text)' is not an environment; use Live or Sandpit")
            }
        } else if environment == nil {
            fail(.environment, "required; give it in the file or with --env")
        }

        // Username and e-mail are checked as written, then lower-cased: lower-casing maps
        // some non-ASCII letters to ASCII ones (the Kelvin sign to k).
        let writtenUsername = raw.username ?? ""
        if writtenUsername.isEmpty {
            fail(.username, "required")
        } else if writtenUsername.utf8.count > Self.maxUsernameLength {
            fail(.username, "longer than \(Self.maxUsernameLength) characters")
        } else if let message = Self.usernameProblem(writtenUsername) {
            fail(.username, message)
        }
        let username = writtenUsername.lowercasedFast

        if let email = raw.email {
            if email.utf8.count > Self.maxEmailLength {
                fail(.email, "longer than \(Self.maxEmailLength) characters")
            } else if !Self.isEmail(email) {
                fail(.email, "'\(email)' is not an e-mail address")
            }
        }
        let email = raw.email?.lowercasedFast

        var displayName = raw.displayName ?? ""
        if displayName.isEmpty, let given = raw.givenName, let family = raw.familyName {
            displayName = "\(given) \(family)"
        }
        if displayName.isEmpty {
            fail(.displayName, "required (or given_name and family_name)")
        } else if displayName.utf8.count > Self.maxNameLength && displayName.unicodeScalars.count > Self.maxNameLength {
            fail(.displayName, "longer than \(Self.maxNameLength) characters")
        } else if Self.hasControlCharacter(displayName) {
            fail(.displayName, "contains a control character")
        }

        var roles: [Role] = []
        for name in raw.roles {
            let trimmed = name.trimmedWhitespace
            guard !trimmed.isEmpty else { continue }
            if let role = rolesByText[trimmed] ?? rolesByKey[trimmed.matchingKey] {
                if !roles.contains(where: { $0.name == role.name }) { roles.append(role) }
            } else {
                fail(.roles, "unknown role '\(trimmed)' (known: \(rolesByKey.values.map(\.name).sorted().joined(separator: ", ")))")
            }
        }

        var userType = UserType.staff
        if let text = raw.userType {
            if let parsed = UserType(parsing: text) { userType = parsed } else { fail(.userType, "'\(text)' is not a user type; use staff, patient or service") }
        }
        var status = LoginStatus.active
        if let text = raw.status {
            if let parsed = LoginStatus(parsing: text) { status = parsed } else { fail(.status, "'\(text)' is not a status; use active or deleted") }
        }

        guard problems.isEmpty, let environment else { return .failure(ValidationFailure(record: raw, problems: problems)) }
        return .success(
            LoginRecord(
                location: location, organisation: organisation, environment: environment, username: username, email: email,
                displayName: displayName, roles: roles.count > 1 ? roles.sorted { $0.name < $1.name } : roles, userType: userType,
                status: status))
    }

    /// Whether `text` has a character of category Cc: U+0000–U+001F, U+007F–U+009F
    /// (in UTF-8, C1 controls are 0xC2 followed by 0x80–0x9F).
    static func hasControlCharacter(_ text: String) -> Bool {
        var afterC2 = false
        return !text.allUTF8 { byte in
            defer { afterC2 = byte == 0xC2 }
            return !(byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F))
        }
    }

    static func isOrganisationCode(_ text: String) -> Bool {
        guard let first = text.utf8.first, isAlphanumeric(first), text.utf8.count <= maxOrganisationLength else { return false }
        return text.allUTF8 { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Letters, digits and `. _ @ + ' -`, starting with a letter or digit: what logins
    /// and e-mail addresses use, and nothing an otpauth label or a file name trips on.
    static func usernameProblem(_ text: String) -> String? {
        guard let first = text.utf8.first, isAlphanumeric(first) else { return "must start with a letter or digit" }
        if text.allUTF8({ isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x40 || $0 == 0x2B || $0 == 0x27 || $0 == 0x2D }) {
            return nil
        }
        if let bad = text.unicodeScalars.first(where: { !($0.isASCII && (isAlphanumeric(UInt8($0.value)) || "._@+'-".unicodeScalars.contains($0))) }) {
            return "'\(text)' contains \(bad == " " ? "a space" : "'\(bad)'"); use letters, digits and . _ @ + ' -"
        }
        return nil
    }

    /// `local@domain.tld`: one `@`, a local part of at most 64 bytes without spaces or
    /// list separators, and a domain of dot-separated letter-digit-hyphen labels.
    static func isEmail(_ text: String) -> Bool {
        var sawAt = false
        var localLength = 0
        var labelLength = 0
        var labels = 0
        var previous: UInt8 = 0
        let wellFormed = text.allUTF8 { byte in
            defer { previous = byte }
            if !sawAt {
                if byte == UInt8(ascii: "@") {
                    sawAt = true
                    return localLength > 0 && localLength <= 64
                }
                localLength += 1
                return byte > 0x20 && byte != 0x2C && byte != 0x3B && byte != 0x3C && byte != 0x3E && byte != 0x7F
            }
            if byte == UInt8(ascii: ".") {
                labels += 1
                defer { labelLength = 0 }
                return labelLength > 0 && previous != UInt8(ascii: "-")
            }
            labelLength += 1
            return (isAlphanumeric(byte) || (byte == UInt8(ascii: "-") && labelLength > 1)) && labelLength <= 63
        }
        return wellFormed && sawAt && labelLength > 0 && previous != UInt8(ascii: "-") && labels >= 1
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}

/// A record that failed validation, with everything wrong with it.
struct ValidationFailure: Error, Sendable {
    var record: RawUserRecord
    var problems: [Problem]
}
