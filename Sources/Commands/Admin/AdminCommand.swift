import ArgumentParser
import CommandSupport

/// `mfa-admin`: one login, or the store itself, at a time.
public struct AdminCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mfa-admin",
        abstract: "Set up the MFA store and manage one login at a time.",
        discussion: """
            Exit codes: 0 done, 1 failure or refusal, 2 usage error, 3 input rejected, 4 another run holds the lock.
            """,
        subcommands: [
            InitCommand.self, CodeCommand.self, VerifyCommand.self, RedeemCommand.self, ResetCommand.self, StatusCommand.self,
            RotateKeyCommand.self, AuditCommand.self,
        ]
    )

    public init() {}
}
