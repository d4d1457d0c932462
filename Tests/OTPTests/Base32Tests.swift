import Testing

@testable import OTP

@Suite("Base32 (RFC 4648)")
struct Base32Tests {
    /// RFC 4648 §10.
    @Test("the RFC's own vectors", arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func rfcVectors(plain: String, encoded: String) throws {
        #expect(Base32.encode(Array(plain.utf8), padded: true) == encoded)
        if !plain.isEmpty {
            #expect(try Base32.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test("round trips of every length", arguments: 1...64)
    func roundTrip(length: Int) throws {
        let bytes = Secret.random(byteCount: length)
        #expect(try Base32.decode(Base32.encode(bytes)) == bytes)
        #expect(try Base32.decode(Base32.encode(bytes, padded: true)) == bytes)
    }

    @Test("tolerant of how people type a secret", arguments: [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
        "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq", " GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ ",
    ])
    func tolerant(typed: String) throws {
        #expect(try Base32.decode(typed) == Array("12345678901234567890".utf8))
    }

    @Test("bad characters are named with their position")
    func badCharacters() {
        #expect(throws: OTPError.invalidBase32Character("1", position: 4)) { try Base32.decode("GEZ1GNBV") }
        #expect(throws: OTPError.invalidBase32Character("0", position: 1)) { try Base32.decode("0EZDGNBV") }
        #expect(throws: OTPError.invalidBase32Character("é", position: 3)) { try Base32.decode("GEéDGNBV") }
        #expect(throws: OTPError.invalidBase32Character("8", position: 8)) { try Base32.decode("GEZDGNB8") }
    }

    @Test("lengths no whole number of bytes encodes to", arguments: ["G", "GEZ", "GEZDGN", "GEZDGNBVG"])
    func badLengths(text: String) {
        #expect(throws: OTPError.invalidBase32Length(text.count)) { try Base32.decode(text) }
    }

    @Test func paddingOnlyAtTheEnd() {
        #expect(throws: OTPError.misplacedBase32Padding(position: 3)) { try Base32.decode("MZ==XW6===") }
        #expect(throws: OTPError.emptySecret) { try Base32.decode("  ") }
    }

    @Test func errorMessagesNameTheProblem() {
        let error = OTPError.invalidBase32Character(" ", position: 2)
        #expect(error.localizedDescription.contains("U+20"))
        #expect(OTPError.invalidBase32Length(9).localizedDescription.contains("9 Base32 characters"))
    }

    @Test func grouping() {
        #expect(Base32.grouped("GEZDGNBVGY3TQOJQGEZ") == "GEZD GNBV GY3T QOJQ GEZ")
    }
}
