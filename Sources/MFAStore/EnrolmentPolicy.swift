import Foundation

/// Which logins need MFA, per environment: every login of the listed user types, and
/// every login holding one of the listed roles. Patients never need it: the platform
/// asks MFA only for its clinical apps.
public struct EnrolmentPolicy: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var userTypes: Set<UserType>
        public var roles: Set<Role>

        public init(userTypes: Set<UserType>, roles: Set<Role>) {
            self.userTypes = userTypes
            self.roles = roles
        }
    }

    public var rules: [Environment: Rule]

    /// Every staff and service login in every environment; Organisation Admins always.
    public static let standard = EnrolmentPolicy(
        rules: Dictionary(uniqueKeysWithValues: Environment.allCases.map {
            ($0, Rule(userTypes: [.staff, .service], roles: [.organisationAdmin]))
        }))

    public func needsMFA(environment: Environment, userType: UserType, roles: some Sequence<Role>) -> Bool {
        guard userType != .patient, let rule = rules[environment] else { return false }
        return rule.userTypes.contains(userType) || roles.contains(where: rule.roles.contains)
    }

    /// `{"live": {"user_types": [...], "roles": [...]}, "sandpit": {...}}`; an environment
    /// left out keeps the standard rule.
    static func parse(_ object: [String: Any], path: String, knownRoles: [Role]) throws(ConfigurationError) -> EnrolmentPolicy {
        var policy = EnrolmentPolicy.standard
        for (key, value) in object {
            guard let environment = Environment(parsing: key) else {
                throw .invalid(path: path, key: "policy.\(key)", message: "unknown environment; use live or sandpit")
            }
            guard let ruleObject = value as? [String: Any] else {
                throw .invalid(path: path, key: "policy.\(key)", message: "must be an object with user_types and roles")
            }
            var reader = KeyReader(object: ruleObject, path: path, prefix: "policy.\(key).")
            var userTypes = Set<UserType>()
            for name in try reader.strings("user_types") ?? [] {
                guard let userType = UserType(parsing: name), userType != .patient else {
                    throw reader.invalid("user_types", "'\(name)' is not a user type that can need MFA; use staff or service")
                }
                userTypes.insert(userType)
            }
            var roles = Set<Role>()
            for name in try reader.strings("roles") ?? [] {
                guard let role = knownRoles.first(where: { $0 == Role(name) }) else {
                    throw reader.invalid("roles", "unknown role '\(name)'")
                }
                roles.insert(role)
            }
            try reader.finish()
            policy.rules[environment] = Rule(userTypes: userTypes, roles: roles)
        }
        return policy
    }
}

/// Fills `{issuer}`, `{environment}`, `{organisation}` and `{username}` in a name template.
public enum NameTemplate {
    static let placeholders = ["issuer", "environment", "organisation", "username"]

    /// One pass over the template, so a value that itself contains `{…}` is left as it
    /// is (and Foundation's replacing, a tenth of a bulk enrolment's time, is avoided).
    public static func render(
        _ template: String, issuer: String, environment: Environment, organisation: String, username: String
    ) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return output + rest[open...] }
            switch after[..<close] {
            case "issuer": output += issuer
            case "environment": output += environment.displayName
            case "organisation": output += organisation
            case "username": output += username
            default: output += rest[open...close]
            }
            rest = after[after.index(after: close)...]
        }
        return output + rest
    }

    static func unknownPlaceholder(in template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return String(after) }
            let name = String(after[..<close])
            if !placeholders.contains(name) { return name }
            rest = after[after.index(after: close)...]
        }
        return nil
    }
}
