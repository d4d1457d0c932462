import Testing

@testable import OTP

@Suite("otpauth Key URIs")
struct OTPAuthURITests {
    static let secret = Array("12345678901234567890".utf8)

    @Test("the canonical form: issuer as prefix and parameter, defaults left out")
    func canonical() throws {
        let uri = OTPAuthURI(issuer: "Inhealthcare Sandpit", accountName: "alice.smith@nhs.net (Sandpit)", secret: Self.secret)
        #expect(
            try uri.uri()
                == "otpauth://totp/Inhealthcare%20Sandpit:alice.smith%40nhs.net%20%28Sandpit%29?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Inhealthcare%20Sandpit"
        )
    }

    @Test("awkward names survive the round trip", arguments: [
        "Siân O'Brien", "bob+mfa@nhs.net", "A & B / C #1", "Zoë Ñúñez-Łukasz", "100% 'sure'", "x?y=z&w",
        "née 李小龍", "tab\there",
    ])
    func roundTrip(name: String) throws {
        let original = OTPAuthURI(
            issuer: "Trust \(name)", accountName: name, secret: Self.secret, algorithm: .sha256, digits: 8, period: 60)
        let text = try original.uri()
        #expect(!text.contains(" ") && !text.contains("'") && !text.contains("#"))
        #expect(try OTPAuthURI(parsing: text) == original)
    }

    @Test("every reserved character is percent-encoded")
    func percentEncoding() {
        #expect(OTPAuthURI.percentEncode(" +@&#/'é:?=%") == "%20%2B%40%26%23%2F%27%C3%A9%3A%3F%3D%25")
        #expect(OTPAuthURI.percentEncode("a-b.c_d~e9") == "a-b.c_d~e9")
    }

    @Test("':' in issuer or account name is refused, naming the field", arguments: [
        ("Trust: A", "alice", "issuer"), ("Trust", "alice:live", "account name"),
    ])
    func colonRefused(issuer: String, account: String, field: String) {
        let error = #expect(throws: OTPError.self) {
            try OTPAuthURI(issuer: issuer, accountName: account, secret: Self.secret).uri()
        }
        #expect(error == .colonInLabel(field: field, value: field == "issuer" ? issuer : account))
        #expect(error?.localizedDescription.contains("contains ':'") == true)
    }

    @Test("parsing URIs written by other tools")
    func parsingOthers() throws {
        let uri = try OTPAuthURI(parsing: "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")
        #expect(uri.issuer == "ACME Co")
        #expect(uri.accountName == "john.doe@email.com")
        let labelOnly = try OTPAuthURI(parsing: "otpauth://totp/Example%3Aalice%40google.com?secret=JBSWY3DPEHPK3PXP")
        #expect(labelOnly.issuer == "Example")
        #expect(labelOnly.accountName == "alice@google.com")
        let hotp = try OTPAuthURI(parsing: "otpauth://hotp/Example:bob?secret=JBSWY3DPEHPK3PXP&counter=7&issuer=Example")
        #expect(hotp.kind == .hotp && hotp.counter == 7)
    }

    @Test("malformed URIs are refused with a reason", arguments: [
        "https://totp/x?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/A:b?issuer=A", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B",
        "otpauth://motp/A:b?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/A:b?secret=JBSW1", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&digits=12",
        "otpauth://totp/A%ZZ:b?secret=JBSWY3DPEHPK3PXP", "otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP",
    ])
    func malformed(text: String) {
        #expect(throws: OTPError.self) { try OTPAuthURI(parsing: text) }
    }
}
