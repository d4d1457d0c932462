import Foundation
import OTP

/// Who needs MFA and how enrolments are named: the `--config` file (JSON).
/// Every key is optional; a missing key keeps its default, an unknown key is an error.
public struct Configuration: Sendable, Equatable {
    /// The product name at the start of every issuer.
    public var issuer = "Inhealthcare"
    /// The issuer the authenticator app shows. Placeholders: {issuer}, {environment},
    /// {organisation}, {username}.
    public var issuerTemplate = "{issuer} {environment}"
    /// The account name the app shows; it must tell accounts apart on its own, since
    /// Microsoft Authenticator on iPhone identifies accounts by account name alone.
    public var accountNameTemplate = "{username} ({environment})"
    /// Used instead where the same username exists in more than one organisation.
    public var qualifiedAccountNameTemplate = "{username} ({environment}, {organisation})"
    public var algorithm = OTPAlgorithm.sha1
    public var digits = 6
    public var period = 30
    public var recoveryCodeCount = 10
    /// Steps of clock drift accepted either side of now (RFC 6238 §5.2).
    public var driftSteps = 1
    /// Consecutive failures before an enrolment locks (NIST SP 800-63B: at most 100).
    public var maxFailedAttempts = 10
    /// Roles beyond the platform's own that imports accept.
    public var extraRoles: [String] = []
    public var policy = EnrolmentPolicy.standard

    public init() {}

    public static let maximumDriftSteps = 5
    public static let maximumFailedAttempts = 100

    /// Roles an import accepts: the platform's and the configured extras.
    public var knownRoles: [Role] { Role.platformRoles + extraRoles.map(Role.init) }

    /// True when the TOTP settings differ from what Microsoft Authenticator honours.
    public var departsFromAuthenticatorDefaults: Bool { algorithm != .sha1 || digits != 6 || period != 30 }

    public static func load(from path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(ConfigurationError) -> Configuration {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError.invalid(path: path, key: nil, message: "the top level must be a JSON object")
            }
            object = parsed
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .invalid(path: path, key: nil, message: "not valid JSON (\(error.localizedDescription))")
        }
        var reader = KeyReader(object: object, path: path, prefix: "")
        var configuration = Configuration()
        configuration.issuer = try reader.string("issuer") ?? configuration.issuer
        configuration.issuerTemplate = try reader.string("issuer_template") ?? configuration.issuerTemplate
        configuration.accountNameTemplate = try reader.string("account_name_template") ?? configuration.accountNameTemplate
        configuration.qualifiedAccountNameTemplate =
            try reader.string("qualified_account_name_template") ?? configuration.qualifiedAccountNameTemplate
        if let algorithm = try reader.string("algorithm") {
            do { configuration.algorithm = try OTPAlgorithm(parsing: algorithm) } catch {
                throw .invalid(path: path, key: "algorithm", message: error.localizedDescription)
            }
        }
        configuration.digits = try reader.integer("digits", in: HOTP.supportedDigits) ?? configuration.digits
        configuration.period = try reader.integer("period", in: TOTP.supportedPeriods) ?? configuration.period
        configuration.recoveryCodeCount = try reader.integer("recovery_code_count", in: 1...50) ?? configuration.recoveryCodeCount
        configuration.driftSteps = try reader.integer("drift_steps", in: 0...maximumDriftSteps) ?? configuration.driftSteps
        configuration.maxFailedAttempts =
            try reader.integer("max_failed_attempts", in: 1...maximumFailedAttempts) ?? configuration.maxFailedAttempts
        configuration.extraRoles = try reader.strings("extra_roles") ?? []
        if let policy = try reader.object("policy") {
            configuration.policy = try EnrolmentPolicy.parse(policy, path: path, knownRoles: configuration.knownRoles)
        }
        try reader.finish()
        try configuration.validateTemplates(path: path)
        return configuration
    }

    private func validateTemplates(path: String) throws(ConfigurationError) {
        for (key, template) in [
            ("issuer_template", issuerTemplate), ("account_name_template", accountNameTemplate),
            ("qualified_account_name_template", qualifiedAccountNameTemplate),
        ] {
            if let unknown = NameTemplate.unknownPlaceholder(in: template) {
                throw .invalid(path: path, key: key, message: "unknown placeholder {\(unknown)}; use {issuer}, {environment}, {organisation} or {username}")
            }
            if template.contains(":") {
                throw .invalid(path: path, key: key, message: "':' is not allowed: authenticator apps read it as the issuer separator")
            }
        }
        if !accountNameTemplate.contains("{username}") || !qualifiedAccountNameTemplate.contains("{username}") {
            throw .invalid(path: path, key: "account_name_template", message: "the account name must contain {username}")
        }
        if !qualifiedAccountNameTemplate.contains("{organisation}") {
            throw .invalid(path: path, key: "qualified_account_name_template", message: "must contain {organisation}")
        }
    }
}

public enum ConfigurationError: Error, Equatable, Sendable, LocalizedError {
    case unreadable(path: String)
    case invalid(path: String, key: String?, message: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(path): "cannot read the configuration file \(path)"
        case let .invalid(path, key, message): "\(path): \(key.map { "\($0): " } ?? "")\(message)"
        }
    }
}

/// Reads typed values from a JSON object and remembers which keys were read, so that
/// an unknown (misspelt) key is reported instead of silently ignored.
struct KeyReader {
    let object: [String: Any]
    let path: String
    let prefix: String
    private var read = Set<String>()

    init(object: [String: Any], path: String, prefix: String) {
        self.object = object
        self.path = path
        self.prefix = prefix
    }

    private mutating func value(_ key: String) -> Any? {
        read.insert(key)
        return object[key]
    }

    func invalid(_ key: String, _ message: String) -> ConfigurationError {
        .invalid(path: path, key: prefix + key, message: message)
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let raw = value(key) else { return nil }
        guard let text = raw as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw invalid(key, "must be a non-empty string")
        }
        return text
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = value(key) else { return nil }
        // JSON true arrives as an NSNumber of type char, which also converts to Int.
        let isBoolean = (raw as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
        guard !isBoolean, let integer = raw as? Int, range.contains(integer) else { throw invalid(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return integer
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let raw = value(key) else { return nil }
        guard let list = raw as? [String] else { throw invalid(key, "must be a list of strings") }
        return list
    }

    mutating func object(_ key: String) throws(ConfigurationError) -> [String: Any]? {
        guard let raw = value(key) else { return nil }
        guard let object = raw as? [String: Any] else { throw invalid(key, "must be an object") }
        return object
    }

    func finish() throws(ConfigurationError) {
        if let unknown = object.keys.sorted().first(where: { !read.contains($0) }) {
            throw invalid(unknown, "unknown setting (known: \(read.sorted().joined(separator: ", ")))")
        }
    }
}
