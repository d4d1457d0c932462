import MFAStore
import OTP

/// The issuer and account name an authenticator app shows for a login.
///
/// Both carry the environment: Microsoft Authenticator on iPhone tells accounts apart by
/// account name alone, so `alice@nhs.net` in Live and in Sandpit would overwrite each
/// other. Where the same username exists in more than one organisation (in one
/// environment), the organisation code is added too. The store's unique index on current
/// account names is the final guard.
struct AccountNaming {
    let configuration: Configuration
    /// (environment, username) pairs held by active logins of more than one organisation.
    private var sharedUsernames: Set<String>
    /// Account names of current enrolments, and those given out in this run.
    private var taken: Set<String>

    init(configuration: Configuration, store: Store) throws {
        self.configuration = configuration
        sharedUsernames = Set(
            try store.database.rows(
                """
                SELECT environment, username FROM logins WHERE status = 'active'
                GROUP BY environment, username HAVING count(DISTINCT organisation_id) > 1
                """
            ) { Self.key($0.text(0), $0.text(1)) })
        taken = Set(try store.database.rows("SELECT account_name FROM enrolments WHERE state IN ('pending', 'active')") { $0.text(0) })
    }

    private static func key(_ environment: String, _ username: String) -> String { "\(environment)\u{1F}\(username)" }

    func issuer(environment: Environment, organisation: String, username: String) -> String {
        NameTemplate.render(
            configuration.issuerTemplate, issuer: configuration.issuer, environment: environment, organisation: organisation,
            username: username)
    }

    /// A new account name for a login, unique among current enrolments; throws when
    /// the templates cannot make one (a configuration problem).
    mutating func accountName(environment: Environment, organisation: String, username: String) throws(EnrolmentError) -> String {
        let shared = sharedUsernames.contains(Self.key(environment.rawValue, username))
        let template = shared ? configuration.qualifiedAccountNameTemplate : configuration.accountNameTemplate
        var name = NameTemplate.render(
            template, issuer: configuration.issuer, environment: environment, organisation: organisation, username: username)
        if taken.contains(name) && !shared {
            name = NameTemplate.render(
                configuration.qualifiedAccountNameTemplate, issuer: configuration.issuer, environment: environment,
                organisation: organisation, username: username)
        }
        guard !taken.contains(name) else { throw .accountNameTaken(name) }
        do {
            try OTPAuthURI.validateLabel(issuer: issuer(environment: environment, organisation: organisation, username: username), accountName: name)
        } catch {
            throw .invalidLabel(name, error.localizedDescription)
        }
        taken.insert(name)
        return name
    }
}
