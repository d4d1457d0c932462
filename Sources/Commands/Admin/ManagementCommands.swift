import ArgumentParser
import CommandSupport
import Enrolment
import Foundation
import Lifecycle
import MFAStore
import Sheets

/// `mfa-admin reset`: "Reset MFA enrolment", by an Organisation Admin or by automation.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Reset a login's MFA enrolment: end it and issue a new one with a new secret, codes and sheet.",
        discussion: "Only an active login with the Organisation Admin role in the same organisation and environment may reset (--by), or automation that says why (--by-system). Works on locked enrolments; refused on deleted logins.")

    @OptionGroup var login: LoginOptions
    @Option(help: ArgumentHelp("The Organisation Admin doing the reset.", valueName: "username"))
    var by: String?
    @Option(help: ArgumentHelp("Reset by automation, recorded with this reason.", valueName: "reason"))
    var bySystem: String?
    @Option(name: .customLong("sheets"), help: ArgumentHelp("Where the new sheet goes.", valueName: "dir"))
    var sheetsDirectory = "sheets"
    @Option(help: ArgumentHelp("Also write the QR code as an image: png or svg.", valueName: "format"))
    var qr: QRImageFormat?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (by == nil) == (bySystem == nil) { throw ValidationError("say who resets: --by ADMIN_USERNAME or --by-system REASON") }
    }

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        let opened = try store.openStore(logger: logger)
        let authority: ResetAuthority = by.map { .organisationAdmin(username: $0) } ?? .system(reason: bySystem ?? "")
        let target = login.reference
        try authority.authorise(target, in: opened.database)
        let status = try LoginStatusReport.load(target, store: opened)
        guard status.loginStatus == .active else { throw Refusal.loginDeleted(target.description) }
        guard let loginID = try opened.database.integer(
            "SELECT l.id FROM logins l JOIN organisations o ON o.id = l.organisation_id WHERE o.code = ? AND l.environment = ? AND l.username = ?",
            [target.organisation, target.environment.rawValue, target.username])
        else { throw Refusal.noSuchLogin(target.description) }
        let enroller = Enroller(store: opened, configuration: try store.loadConfiguration(), logger: logger)
        let reset = try enroller.reset(
            Candidate(loginID: loginID, organisation: target.organisation, environment: target.environment, username: target.username, displayName: status.displayName),
            actor: authority.actor, sheetsDirectory: sheetsDirectory, qrFormat: qr)
        output.printJSON(ResetSummary(endedEnrolment: reset.ended, newEnrolment: reset.enrolment.enrolmentID, accountName: reset.enrolment.uri.accountName, sheet: reset.sheet, by: authority.actor))
        output.summary("reset \(target) by \(authority.actor): new pending enrolment; sheet \(reset.sheet ?? "not written")")
    }

    private struct ResetSummary: Encodable {
        var endedEnrolment: Int64?
        var newEnrolment: Int64
        var accountName: String
        var sheet: String?
        var by: String
    }
}

/// `mfa-admin status`: one login's MFA at a glance.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a login's MFA enrolment (never its secret).")

    @OptionGroup var login: LoginOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        let opened = try store.openStore(logger: logger)
        let report = try LoginStatusReport.load(login.reference, store: opened)
        try opened.database.inTransaction {
            try opened.record(
                Event(
                    kind: "login.status_viewed", actor: "mfa-admin", organisation: report.organisation,
                    environment: report.environment, username: report.username))
        }
        output.printJSON(report)
        var lines = [
            "login: \(report.organisation) \(report.environment.displayName) \(report.username) (\(report.displayName)), \(report.loginStatus.rawValue)",
            "roles: \(report.roles.isEmpty ? "none" : report.roles.joined(separator: ", "))",
        ]
        if let enrolment = report.enrolment {
            lines += [
                "enrolment: \(enrolment.state.rawValue)\(enrolment.lockedAt.map { ", LOCKED since \($0)" } ?? "") — \(enrolment.issuer): \(enrolment.accountName)",
                "created: \(enrolment.createdAt); activated: \(enrolment.activatedAt ?? "not yet"); sheet printed: \(enrolment.sheetIssuedAt ?? "not yet")",
                "last sign-in: \(enrolment.lastUsedAt.map { "\($0)\(enrolment.lastUsedApp.map { " in \($0)" } ?? "")" } ?? "never")",
                "recovery codes left: \(enrolment.recoveryCodesLeft); failed attempts: \(enrolment.failedAttempts)",
            ]
        } else {
            lines.append("enrolment: none")
        }
        lines.append("earlier enrolments: \(report.previousEnrolments)")
        output.summary(lines.joined(separator: "\n"))
    }
}

/// `mfa-admin rotate-key`: a new store key, all at once.
struct RotateKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-seal every secret under a new key file, in one transaction; afterwards only the new key opens the store.")

    @Option(help: ArgumentHelp("The new key file; created (mode 0600) if it does not exist.", valueName: "path"))
    var newKeyFile: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        let lock = try store.lockStore()
        defer { withExtendedLifetime(lock) {} }
        let count = try store.openStore(logger: logger).rotateKey(to: newKeyFile)
        output.printJSON(["secrets_resealed": count])
        output.summary("re-sealed \(count) secrets under \(newKeyFile); use it from now on (--key-file or MFA_KEY_FILE). The old key no longer opens the store.")
    }
}

/// `mfa-admin audit`: the tamper-evident trail.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check or export the hash-chained audit trail.", subcommands: [AuditVerifyCommand.self, AuditExportCommand.self])
}

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the event chain and report the first broken link (exit 1 if any).",
        discussion: "Prints the head hash: record it elsewhere and pass it back with --expect-head to detect events removed from the end.")

    @Option(help: ArgumentHelp("The head hash recorded earlier.", valueName: "hash"))
    var expectHead: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        let result = try AuditTrail(store: try store.openStore(logger: logger)).verify(expectedHead: expectHead)
        output.printJSON(result)
        guard result.intact else {
            throw CommandFailure(.failure, "audit chain broken at event \(result.brokenAt ?? 0): \(result.problem ?? "")")
        }
        output.summary("audit chain intact: \(result.events) events; head \(result.headHash ?? "(empty)")")
    }
}

struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write events as JSON Lines, oldest first, for a SIEM.")

    @Option(help: ArgumentHelp("Events at or after this date or time (ISO 8601).", valueName: "date"))
    var since: String
    @Option(help: ArgumentHelp("Events before this date or time.", valueName: "date"))
    var until: String?
    @Option(help: ArgumentHelp("Write to this file (mode 0600) instead of stdout.", valueName: "path"))
    var output: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var options: OutputOptions

    func validate() throws {
        if Timestamp.parse(since) == nil { throw ValidationError("--since '\(since)' is not an ISO 8601 date") }
        if let until, Timestamp.parse(until) == nil { throw ValidationError("--until '\(until)' is not an ISO 8601 date") }
    }

    func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: options.logLevel)
        let trail = AuditTrail(store: try store.openStore(logger: logger))
        var lines = ""
        let count = try trail.export(since: Timestamp.parse(since)!, until: until.flatMap(Timestamp.parse)) { line in
            if output == nil { print(line) } else { lines += line + "\n" }
        }
        if let output {
            try AtomicFile.write(Data(lines.utf8), to: output, mode: 0o600)
            options.summary("\(count) events written to \(output)")
        }
    }
}
