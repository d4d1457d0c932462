import Crypto
import Foundation

/// The HMAC behind a one-time password (RFC 4226 §5.2, RFC 6238 §1.2).
public enum OTPAlgorithm: String, CaseIterable, Codable, Sendable {
    case sha1, sha256, sha512

    public init(parsing name: String) throws(OTPError) {
        let normalised = name.lowercased().replacingOccurrences(of: "-", with: "")
        guard let algorithm = OTPAlgorithm(rawValue: normalised) else {
            throw .unsupportedAlgorithm(name)
        }
        self = algorithm
    }

    /// The name the Key URI format uses (`SHA1`, `SHA256`, `SHA512`).
    public var uriName: String { rawValue.uppercased() }
}

/// HOTP (RFC 4226): a code from a shared secret and a counter.
public struct HOTP: Sendable {
    public static let supportedDigits = 6...8
    /// RFC 4226 §4 requires at least 128 bits.
    public static let minimumSecretBytes = 16

    public let algorithm: OTPAlgorithm
    public let digits: Int
    private let key: SymmetricKey

    public init(secret: [UInt8], algorithm: OTPAlgorithm = .sha1, digits: Int = 6) throws(OTPError) {
        guard !secret.isEmpty else { throw .emptySecret }
        guard Self.supportedDigits.contains(digits) else { throw .unsupportedDigits(digits) }
        self.key = SymmetricKey(data: secret)
        self.algorithm = algorithm
        self.digits = digits
    }

    public func code(counter: UInt64) -> String {
        let value = truncatedValue(counter: counter) % Self.powersOfTen[digits]
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// Dynamic truncation (RFC 4226 §5.3): the offset is the low nibble of the *last*
    /// byte of the MAC, which is byte 19 only for SHA-1.
    private func truncatedValue(counter: UInt64) -> UInt32 {
        var message = counter.bigEndian
        return withUnsafeBytes(of: &message) { counterBytes in
            func truncate(_ mac: some ContiguousBytes) -> UInt32 {
                mac.withUnsafeBytes { bytes in
                    let offset = Int(bytes[bytes.count - 1] & 0x0F)
                    return (UInt32(bytes[offset] & 0x7F) << 24) | (UInt32(bytes[offset + 1]) << 16)
                        | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
                }
            }
            switch algorithm {
            case .sha1: return truncate(HMAC<Insecure.SHA1>.authenticationCode(for: counterBytes, using: key))
            case .sha256: return truncate(HMAC<SHA256>.authenticationCode(for: counterBytes, using: key))
            case .sha512: return truncate(HMAC<SHA512>.authenticationCode(for: counterBytes, using: key))
            }
        }
    }

    private static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
}

/// TOTP (RFC 6238): HOTP over the number of whole periods since the Unix epoch.
/// Steps are 64-bit, so codes stay right past 2038 and 2106.
public struct TOTP: Sendable {
    public static let supportedPeriods = 1...3600

    public let hotp: HOTP
    public let period: Int

    public init(secret: [UInt8], algorithm: OTPAlgorithm = .sha1, digits: Int = 6, period: Int = 30) throws(OTPError) {
        guard Self.supportedPeriods.contains(period) else { throw .unsupportedPeriod(period) }
        self.hotp = try HOTP(secret: secret, algorithm: algorithm, digits: digits)
        self.period = period
    }

    /// The time step containing `unixTime` (seconds since 1970-01-01 UTC).
    public func step(at unixTime: Int64) throws(OTPError) -> UInt64 {
        guard unixTime >= 0 else { throw .timeBeforeEpoch(unixTime) }
        return UInt64(unixTime) / UInt64(period)
    }

    public func code(at unixTime: Int64) throws(OTPError) -> String {
        hotp.code(counter: try step(at: unixTime))
    }

    public func code(step: UInt64) -> String {
        hotp.code(counter: step)
    }

    /// The step whose code equals `candidate` among `window` steps either side of the
    /// step at `unixTime`, newest first so a replay check sees the latest match; nil if none.
    public func matchingStep(for candidate: String, at unixTime: Int64, window: Int) throws(OTPError) -> UInt64? {
        let current = try step(at: unixTime)
        guard candidate.utf8.count == hotp.digits else { return nil }
        var found: UInt64?
        for offset in stride(from: window, through: -window, by: -1) {
            let (step, overflow) = offset >= 0
                ? current.addingReportingOverflow(UInt64(offset))
                : current.subtractingReportingOverflow(UInt64(-offset))
            if overflow { continue }
            // Compare every candidate step, so timing does not reveal which one matched.
            if constantTimeEquals(Array(code(step: step).utf8), Array(candidate.utf8)), found == nil {
                found = step
            }
        }
        return found
    }
}

/// Compares two byte strings in time that depends on their lengths only.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}
