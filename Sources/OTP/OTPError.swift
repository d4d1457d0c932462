import Foundation

/// Why a secret, a code or an otpauth URI was refused.
public enum OTPError: Error, Equatable, Sendable {
    case invalidBase32Character(Character, position: Int)
    case invalidBase32Length(Int)
    case misplacedBase32Padding(position: Int)
    case emptySecret
    case secretTooShort(bytes: Int, minimum: Int)
    case unsupportedDigits(Int)
    case unsupportedPeriod(Int)
    case unsupportedAlgorithm(String)
    case timeBeforeEpoch(Int64)
    case colonInLabel(field: String, value: String)
    case emptyLabel(field: String)
    case issuerMismatch(prefix: String, parameter: String)
    case invalidURI(String)
}

extension OTPError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .invalidBase32Character(character, position):
            return "the secret has \(character.printable) at position \(position); Base32 uses only the letters A–Z and the digits 2–7"
        case let .invalidBase32Length(count):
            return "the secret has \(count) Base32 characters, a length no whole number of bytes encodes to; check for a missing or extra character"
        case let .misplacedBase32Padding(position):
            return "the secret has '=' padding at position \(position) followed by more characters; padding may only end it"
        case .emptySecret:
            return "the secret is empty"
        case let .secretTooShort(bytes, minimum):
            return "the secret is \(bytes) bytes; at least \(minimum) bytes (\(minimum * 8) bits) are required"
        case let .unsupportedDigits(digits):
            return "\(digits) digits is not supported; use 6, 7 or 8"
        case let .unsupportedPeriod(period):
            return "a period of \(period) seconds is not supported; use 1 to 3600 seconds (30 is the standard)"
        case let .unsupportedAlgorithm(name):
            return "'\(name)' is not a supported algorithm; use sha1, sha256 or sha512"
        case let .timeBeforeEpoch(time):
            return "the time \(time) is before 1970-01-01; TOTP needs a Unix time of 0 or later"
        case let .colonInLabel(field, value):
            return "the \(field) '\(value)' contains ':', which authenticator apps read as the issuer separator; remove it"
        case let .emptyLabel(field):
            return "the \(field) is empty"
        case let .issuerMismatch(prefix, parameter):
            return "the label's issuer '\(prefix)' differs from the issuer parameter '\(parameter)'"
        case let .invalidURI(reason):
            return "not a valid otpauth URI: \(reason)"
        }
    }
}

extension Character {
    /// The character quoted, or its code point when it would not print visibly.
    var printable: String {
        guard let scalar = unicodeScalars.first else { return "''" }
        if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
            return "U+" + String(scalar.value, radix: 16, uppercase: true)
        }
        return "'\(self)'"
    }
}
