import ArgumentParser
import CommandSupport
import Expiry
import Foundation
import MFAStore
import RosterImport

/// `mfa-expire`: end the enrolments of deleted logins (and of sheets nobody activated).
public struct ExpireCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-expire",
        abstract: "End the MFA enrolments of deleted logins, erasing their secrets and recovery codes.",
        discussion: """
            Safe under cron: one run at a time per store (a second exits 4 at once), one transaction (a run killed \
            at any moment leaves all or nothing done), idempotent, and refusing to expire more than a share of an \
            organisation's enrolments at once.

            Exit codes: 0 done, 1 failure, 2 usage error, 3 input rejected or mass expiry refused, 4 another run holds the lock.
            """)

    @Option(help: ArgumentHelp("A user list (CSV or XML) of logins to mark deleted and expire in the same run.", valueName: "file"))
    var deleted: String?

    @Option(help: "The deletions file's format, when its extension does not say: csv or xml.")
    var format: UserListFormat?

    @Option(help: ArgumentHelp("Also expire pending enrolments older than this, e.g. 30d, 12h, 2w.", valueName: "age"))
    var pendingMaxAge: String?

    @OptionGroup var scope: ScopeOptions

    @Option(help: ArgumentHelp("Refuse if more than this share of an organisation's current enrolments would expire.", valueName: "fraction"))
    var maxExpiryFraction = 0.10

    @Flag(help: "Allow expiring more than --max-expiry-fraction.")
    var allowMassExpiry = false

    @Flag(help: "List what would be expired; change nothing.")
    var dryRun = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func validate() throws {
        if let pendingMaxAge, Self.seconds(pendingMaxAge) == nil {
            throw ValidationError("--pending-max-age '\(pendingMaxAge)' is not an age like 30d, 12h or 2w")
        }
        if !(0...1).contains(maxExpiryFraction) { throw ValidationError("--max-expiry-fraction must be between 0 and 1") }
    }

    /// `30d`, `12h`, `2w`, `90m`, or plain seconds.
    static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        if let unit = text.last, let scale = units[unit], let value = Int64(text.dropLast()), value > 0 { return value * scale }
        return Int64(text).flatMap { $0 > 0 ? $0 : nil }
    }

    public func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-expire", level: output.logLevel)
        let configuration = try store.loadConfiguration()
        let lock = try store.lockStore()
        defer { withExtendedLifetime(lock) {} }
        let opened = try store.openStore(logger: logger)

        var options = ExpiryOptions()
        options.organisation = scope.organisation
        options.environment = scope.environment
        options.pendingMaxAge = pendingMaxAge.flatMap(Self.seconds)
        options.maxExpiryFraction = maxExpiryFraction
        options.allowMassExpiry = allowMassExpiry
        options.dryRun = dryRun
        if let deleted {
            options.deletedLogins = try UserListFile.read(
                deleted, format: format, organisation: scope.organisation, environment: options.environment, knownRoles: configuration.knownRoles)
        }
        let summary = try Expirer(store: opened, logger: logger).run(options)
        output.printJSON(summary)
        for unknown in summary.unknownLogins { logger.notice("not in the store, so nothing to expire: \(unknown)") }
        if dryRun {
            for expired in summary.expired {
                output.summary("would expire \(expired.organisation) \(expired.environment.displayName) \(expired.username) (\(expired.reason.rawValue))")
            }
        } else if output.verbose {
            for expired in summary.expired {
                output.summary("expired \(expired.organisation) \(expired.environment.displayName) \(expired.username) (\(expired.reason.rawValue))")
            }
        }
        if summary.loginsMarkedDeleted > 0 { output.summary("logins marked deleted: \(summary.loginsMarkedDeleted)") }
        output.summary(
            "\(dryRun ? "would expire" : "expired"): \(summary.expiredUserDeleted + summary.expiredNeverActivated) (user deleted: \(summary.expiredUserDeleted), never activated: \(summary.expiredNeverActivated))")
        if dryRun { output.summary("dry run: nothing was changed") }
    }
}
