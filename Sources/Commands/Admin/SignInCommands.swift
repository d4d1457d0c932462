import ArgumentParser
import CommandSupport
import Foundation
import Lifecycle

/// `mfa-admin verify`: a TOTP code at sign-in; the first correct one activates.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a login's 6-digit code; the first correct code activates a pending enrolment.",
        discussion: "Exit 0 accepted; 1 refused (wrong code, code already used, enrolment locked, no enrolment, login deleted), with the reason.")

    @OptionGroup var login: LoginOptions
    @Option(help: ArgumentHelp("The code from the authenticator app.", valueName: "digits"))
    var code: String
    @OptionGroup var app: AppOption
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let authenticator = try SignInOutcome.authenticator(store, output)
        let result = try SignInOutcome.run(output) { try authenticator.verify(login.reference, code: code, app: app.canonical) }
        output.summary(result.activated ? "accepted: enrolment activated" : "accepted")
    }
}

/// `mfa-admin redeem`: a recovery code instead of the app.
struct RedeemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem",
        abstract: "Use one of a login's recovery codes (each works once).",
        discussion: "Exit 0 accepted, saying how many codes are left; 1 refused, with the reason.")

    @OptionGroup var login: LoginOptions
    @Option(help: ArgumentHelp("The recovery code, e.g. ABCDE-FGHJK (case and separators do not matter).", valueName: "code"))
    var code: String
    @OptionGroup var app: AppOption
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let authenticator = try SignInOutcome.authenticator(store, output)
        let result = try SignInOutcome.run(output) { try authenticator.redeem(login.reference, code: code, app: app.canonical) }
        output.summary("accepted: \(result.recoveryCodesLeft ?? 0) recovery codes left" + (result.message.map { "; \($0)" } ?? ""))
    }
}

/// What both sign-in commands share: the authenticator, and refusals printed as JSON
/// too, when asked, before they end the run.
enum SignInOutcome {
    static func authenticator(_ store: StoreOptions, _ output: OutputOptions) throws -> Authenticator {
        let logger = LoggingBootstrap.bootstrap(tool: "mfa-admin", level: output.logLevel)
        return try Authenticator(store: try store.openStore(logger: logger), configuration: try store.loadConfiguration())
    }

    static func run(_ output: OutputOptions, _ attempt: () throws -> SignInResult) throws -> SignInResult {
        do {
            let result = try attempt()
            output.printJSON(result)
            return result
        } catch let refusal as Refusal {
            output.printJSON(SignInResult(accepted: false, refusal: refusal.code, message: refusal.localizedDescription))
            throw refusal
        }
    }
}
