import Foundation
import TestSupport
import Testing

@testable import OTP

@Suite("HOTP and TOTP against the RFC vectors")
struct OneTimePasswordTests {
    static let rfc4226Secret = Array("12345678901234567890".utf8)

    @Test("RFC 4226 Appendix D", arguments: zip(0..<10, [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
    ]))
    func hotpAppendixD(counter: Int, expected: String) throws {
        let hotp = try HOTP(secret: Self.rfc4226Secret)
        #expect(hotp.code(counter: UInt64(counter)) == expected)
    }

    /// Appendix B's seeds are ASCII digits of the hash's own length (Appendix A's code).
    static let seeds: [OTPAlgorithm: [UInt8]] = [
        .sha1: Array("12345678901234567890".utf8),
        .sha256: Array("12345678901234567890123456789012".utf8),
        .sha512: Array("1234567890123456789012345678901234567890123456789012345678901234".utf8),
    ]

    static let appendixB: [(Int64, OTPAlgorithm, String)] = [
        (59, .sha1, "94287082"), (59, .sha256, "46119246"), (59, .sha512, "90693936"),
        (1_111_111_109, .sha1, "07081804"), (1_111_111_109, .sha256, "68084774"), (1_111_111_109, .sha512, "25091201"),
        (1_111_111_111, .sha1, "14050471"), (1_111_111_111, .sha256, "67062674"), (1_111_111_111, .sha512, "99943326"),
        (1_234_567_890, .sha1, "89005924"), (1_234_567_890, .sha256, "91819424"), (1_234_567_890, .sha512, "93441116"),
        (2_000_000_000, .sha1, "69279037"), (2_000_000_000, .sha256, "90698825"), (2_000_000_000, .sha512, "38618901"),
        (20_000_000_000, .sha1, "65353130"), (20_000_000_000, .sha256, "77737706"), (20_000_000_000, .sha512, "47863826"),
    ]

    @Test("RFC 6238 Appendix B, all three algorithms", arguments: appendixB)
    func totpAppendixB(time: Int64, algorithm: OTPAlgorithm, expected: String) throws {
        let totp = try TOTP(secret: Self.seeds[algorithm]!, algorithm: algorithm, digits: 8)
        #expect(try totp.code(at: time) == expected)
    }

    @Test("time steps are 64-bit: past 2038 and 2106")
    func stepsBeyond32Bits() throws {
        let totp = try TOTP(secret: Self.seeds[.sha1]!)
        #expect(try totp.step(at: 2_147_483_648) == 71_582_788)  // 2038-01-19
        #expect(try totp.step(at: 4_294_967_296) == 143_165_576)  // 2106-02-07
        #expect(try totp.step(at: Int64.max) == UInt64(Int64.max) / 30)
        #expect(throws: OTPError.timeBeforeEpoch(-1)) { try totp.code(at: -1) }
    }

    @Test("codes are zero-padded to their digits", arguments: [6, 7, 8])
    func zeroPadding(digits: Int) throws {
        let hotp = try HOTP(secret: Self.rfc4226Secret, digits: digits)
        for counter in UInt64(0)..<200 {
            #expect(hotp.code(counter: counter).count == digits)
        }
    }

    @Test("unsupported parameters are refused", arguments: [5, 9, 0])
    func unsupportedDigits(digits: Int) {
        #expect(throws: OTPError.unsupportedDigits(digits)) { try HOTP(secret: Self.rfc4226Secret, digits: digits) }
    }

    @Test func unsupportedPeriodAndEmptySecret() {
        #expect(throws: OTPError.unsupportedPeriod(0)) { try TOTP(secret: Self.rfc4226Secret, period: 0) }
        #expect(throws: OTPError.emptySecret) { try HOTP(secret: []) }
    }

    @Test("drift window: one step either side matches, two steps does not")
    func driftWindow() throws {
        let totp = try TOTP(secret: Self.seeds[.sha1]!)
        let now: Int64 = 1_700_000_000
        let step = try totp.step(at: now)
        #expect(try totp.matchingStep(for: totp.code(step: step - 1), at: now, window: 1) == step - 1)
        #expect(try totp.matchingStep(for: totp.code(step: step + 1), at: now, window: 1) == step + 1)
        #expect(try totp.matchingStep(for: totp.code(step: step), at: now, window: 0) == step)
        #expect(try totp.matchingStep(for: totp.code(step: step - 2), at: now, window: 1) == nil)
        #expect(try totp.matchingStep(for: "12345", at: now, window: 1) == nil)
    }

    @Test("algorithm names as people and URIs write them", arguments: ["sha1", "SHA1", "SHA-256", "sha512"])
    func algorithmParsing(name: String) throws {
        _ = try OTPAlgorithm(parsing: name)
    }

    @Test func unknownAlgorithm() {
        #expect(throws: OTPError.unsupportedAlgorithm("md5")) { try OTPAlgorithm(parsing: "md5") }
    }
}

@Suite("against oathtool, an independent implementation")
struct OathtoolComparisonTests {
    @Test("random secrets, times, algorithms and digits agree with oathtool")
    func randomAgreement() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let algorithm = OTPAlgorithm.allCases.randomElement(using: &generator)!
            let digits = Int.random(in: 6...8, using: &generator)
            let secret = Secret.random(byteCount: Int.random(in: 16...64, using: &generator))
            let time = Int64.random(in: 0...40_000_000_000, using: &generator)
            let period = [30, 60, 15].randomElement(using: &generator)!
            let ours = try TOTP(secret: secret, algorithm: algorithm, digits: digits, period: period).code(at: time)
            let theirs = try oathtool([
                "--totp=\(algorithm.rawValue)", "-d", "\(digits)", "-s", "\(period)", "-b", Base32.encode(secret),
                "--now", "@\(time)",
            ])
            #expect(ours == theirs, "algorithm \(algorithm), digits \(digits), period \(period), time \(time)")

            let counter = UInt64.random(in: 0...UInt64(UInt32.max) * 4, using: &generator)
            let hotp = try HOTP(secret: secret, algorithm: .sha1, digits: digits).code(counter: counter)
            #expect(hotp == (try oathtool(["-d", "\(digits)", "-c", "\(counter)", "-b", Base32.encode(secret)])))
        }
    }

    private func oathtool(_ arguments: [String]) throws -> String {
        let result = try runProcess("/usr/bin/oathtool", arguments)
        #expect(result.status == 0, "oathtool: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
