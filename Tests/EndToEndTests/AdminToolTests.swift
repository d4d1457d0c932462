import Foundation
import TestSupport
import Testing

@Suite("mfa-admin init and code, as a user runs them")
struct AdminToolTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory("admin-e2e") }

    func admin(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(tool("mfa-admin"), arguments, environment: environment, directory: folder.url)
    }

    @Test("code prints RFC 6238's first SHA-1 vector alone on stdout")
    func rfcVector() throws {
        let result = try admin(["code", "--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "--time", "59", "--digits", "8"])
        #expect(result.status == 0)
        #expect(result.stdout == "94287082\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("code agrees with oathtool for HOTP and SHA-512")
    func otherModes() throws {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        let hotp = try admin(["code", "--secret", secret, "--counter", "12345"])
        #expect(hotp.stdout == (try runProcess("/usr/bin/oathtool", ["-c", "12345", "-b", secret])).stdout)
        let sha512 = try admin(["code", "--secret", secret, "--algorithm", "sha512", "--digits", "7", "--period", "60", "--time", "2000000000"])
        let expected = try runProcess("/usr/bin/oathtool", ["--totp=sha512", "-d", "7", "-s", "60", "-b", secret, "--now", "@2000000000"])
        #expect(sha512.stdout == expected.stdout)
    }

    @Test("bad secrets and options are usage errors (exit 2) with a clear message, never the secret")
    func badInput() throws {
        let badSecret = try admin(["code", "--secret", "SECRETX1SECRET"])
        #expect(badSecret.status == 2)
        #expect(badSecret.stderr.contains("'1' at position 8"))
        #expect(!badSecret.stderr.contains("SECRETX1SECRET"))
        #expect(try admin(["code", "--secret", "JBSWY3DPEHPK3PXP", "--digits", "9"]).status == 2)
        #expect(try admin(["code", "--secret", "JBSWY3DPEHPK3PXP", "--time", "5", "--counter", "1"]).status == 2)
        #expect(try admin(["frobnicate"]).status == 2)
        let help = try admin(["--help"])
        #expect(help.status == 0 && help.stdout.contains("Exit codes"))
    }

    @Test("init creates the store and a 0600 key, a second init leaves the key alone")
    func initTwice() throws {
        let first = try admin(["init"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created"))
        #expect(fileMode(folder.path("mfa.key")) == 0o600)
        let key = FileManager.default.contents(atPath: folder.path("mfa.key"))
        let second = try admin(["init", "--json"])
        #expect(second.status == 0)
        #expect(second.stdout.contains(#""created_key_file" : false"#))
        #expect(FileManager.default.contents(atPath: folder.path("mfa.key")) == key)
    }

    @Test("the store's paths come from options or from MFA_DB and MFA_KEY_FILE")
    func environmentPaths() throws {
        let result = try admin(["init", "--quiet"], environment: ["MFA_DB": folder.path("env.sqlite"), "MFA_KEY_FILE": folder.path("env.key")])
        #expect(result.status == 0 && result.stdout.isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.path("env.sqlite")))
        #expect(fileMode(folder.path("env.key")) == 0o600)
    }

    @Test("the wrong key file is a clear failure, not garbage")
    func wrongKey() throws {
        #expect(try admin(["init"]).status == 0)
        #expect(try admin(["init", "--db", "other.sqlite", "--key-file", "other.key"]).status == 0)
        let result = try admin(["init", "--key-file", "other.key"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("does not open the store"))
        #expect(!result.stderr.contains("Fatal error"))
    }
}
