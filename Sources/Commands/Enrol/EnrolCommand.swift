import ArgumentParser
import CommandSupport
import Enrolment
import Foundation
import MFAStore
import Sheets

/// `mfa-enrol`: enrolments for every login that needs MFA, with printable sheets.
public struct EnrolCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-enrol",
        abstract: "Enrol every login that needs MFA and print its set-up sheet.",
        discussion: """
            Who needs MFA comes from the enrolment policy (--config; by default every staff and service login in \
            every environment, never patients). Each new enrolment gets a 160-bit secret, sealed in the store, and \
            recovery codes, stored hashed; its sheet (QR code, key for manual entry, recovery codes) is written after \
            the database commits. Running again enrols nobody twice and prints any sheet an earlier run did not.

            Exit codes: 0 done, 1 failure, 2 usage error, 3 input rejected, 4 another run holds the lock.
            """)

    @OptionGroup var scope: ScopeOptions

    @Option(name: .customLong("sheets"), help: ArgumentHelp("Where sheets go: DIR/<environment>/<organisation>/.", valueName: "dir"))
    var sheetsDirectory = "sheets"

    @Flag(help: "Create enrolments only; their sheets are printed by a later run.")
    var noSheets = false

    @Option(help: ArgumentHelp("Also write each QR code as an image: png or svg.", valueName: "format"))
    var qr: QRImageFormat?

    @Flag(help: "Reprint the sheet of one login's pending enrolment with new recovery codes (needs --user).")
    var reissue = false

    @Option(help: ArgumentHelp("The username to reprint with --reissue.", valueName: "username"))
    var user: String?

    @Flag(help: "List who would be enrolled and whose sheets printed; write nothing.")
    var dryRun = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func validate() throws {
        if reissue != (user != nil) { throw ValidationError("--reissue and --user go together") }
        if reissue && noSheets { throw ValidationError("--reissue prints a sheet; it cannot be used with --no-sheets") }
        if qr != nil && noSheets { throw ValidationError("--qr writes beside the sheets; it cannot be used with --no-sheets") }
    }

    public func run() throws {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-enrol", level: output.logLevel)
        let configuration = try store.loadConfiguration()
        let lock = try store.lockStore()
        defer { withExtendedLifetime(lock) {} }
        let opened = try store.openStore(logger: logger)

        var options = EnrolmentOptions()
        options.organisation = scope.organisation
        options.environment = scope.environment
        options.dryRun = dryRun
        options.sheetsDirectory = noSheets ? nil : sheetsDirectory
        options.qrFormat = qr
        options.reissueUsername = user

        let enroller = Enroller(store: opened, configuration: configuration, logger: logger)
        var bars: [String: ProgressBar] = [:]
        let showsProgress = output.showsProgress
        enroller.onProgress = { stage, done, total in
            let bar = bars[stage] ?? ProgressBar(label: stage, total: total, enabled: showsProgress)
            bars[stage] = bar
            bar.update(completed: done, total: total)
            if done == total { bar.finish() }
        }
        let summary = try enroller.run(options)
        output.printJSON(summary)
        if dryRun {
            for candidate in summary.wouldEnrol ?? [] {
                output.summary("would enrol \(candidate.organisation) \(candidate.environment.displayName) \(candidate.username)")
            }
            for candidate in summary.wouldIssueSheets ?? [] {
                output.summary("would print the sheet of \(candidate.organisation) \(candidate.environment.displayName) \(candidate.username) (new recovery codes)")
            }
            output.summary("dry run: nothing was written")
            return
        }
        if !reissue {
            output.summary(
                "needing MFA: \(summary.needingMFA) (already enrolled: \(summary.alreadyEnrolled)); not needing MFA under the policy: \(summary.notNeedingMFA)")
            output.summary("enrolled: \(summary.enrolled)")
        }
        if !noSheets {
            output.summary("sheets printed: \(summary.sheetsIssued)\(summary.sheetsReissued > 0 ? " (\(summary.sheetsReissued) with new recovery codes for earlier enrolments)" : "") under \(sheetsDirectory)/")
        }
        for group in summary.groups {
            output.summary(
                "  \(group.organisation) \(group.environment.displayName): enrolled \(group.enrolled), sheets \(group.sheets)\(group.batchFile.map { ", all in \(sheetsDirectory)/\($0)" } ?? "")")
        }
    }
}

extension QRImageFormat: ExpressibleByArgument {}
