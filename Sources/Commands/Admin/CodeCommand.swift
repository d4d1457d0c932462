import ArgumentParser
import CommandSupport
import Foundation
import OTP

/// `mfa-admin code`: what a phone should show for a secret, like `oathtool`.
struct CodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract: "Print the code for a Base32 secret (TOTP, or HOTP with --counter), to check a phone's clock.",
        discussion: "Prints the code alone on stdout. The store is not opened.")

    @Option(help: ArgumentHelp("The Base32 secret; spaces and lowercase are fine.", valueName: "base32"))
    var secret: String

    @Option(help: ArgumentHelp("Unix seconds to compute the TOTP code for (default: now).", valueName: "seconds"))
    var time: Int64?

    @Option(help: ArgumentHelp("Compute an HOTP code for this counter instead of a TOTP code.", valueName: "n"))
    var counter: UInt64?

    @Option(help: "The HMAC: sha1, sha256 or sha512.")
    var algorithm: String = "sha1"

    @Option(help: "Digits in the code, 6 to 8.")
    var digits: Int = 6

    @Option(help: ArgumentHelp("The TOTP period in seconds.", valueName: "seconds"))
    var period: Int = 30

    func validate() throws {
        if counter != nil && time != nil { throw ValidationError("--time and --counter cannot be used together") }
    }

    func run() throws {
        do {
            let secretBytes = try Base32.decode(secret)
            let algorithm = try OTPAlgorithm(parsing: algorithm)
            if let counter {
                print(try HOTP(secret: secretBytes, algorithm: algorithm, digits: digits).code(counter: counter))
            } else {
                let totp = try TOTP(secret: secretBytes, algorithm: algorithm, digits: digits, period: period)
                print(try totp.code(at: time ?? Int64(Date().timeIntervalSince1970)))
            }
        } catch {
            // The message names the bad character's position, never the secret itself.
            throw CommandFailure(.usage, error.localizedDescription)
        }
    }
}
