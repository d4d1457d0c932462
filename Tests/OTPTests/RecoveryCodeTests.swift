import Crypto
import Testing

@testable import OTP

@Suite("recovery codes")
struct RecoveryCodeTests {
    let hasher = RecoveryCodeHasher(pepper: SymmetricKey(size: .bits256), rounds: 10)

    @Test("generated codes use only the unambiguous alphabet, in two groups of five")
    func generation() {
        let codes = RecoveryCode.generate(count: 200)
        #expect(Set(codes).count == 200)
        for code in codes {
            #expect(code.count == 11 && code.split(separator: "-").map(\.count) == [5, 5])
            #expect(code.utf8.allSatisfy { $0 == UInt8(ascii: "-") || RecoveryCode.alphabet.contains($0) })
            #expect(!code.contains(where: { "01ILOU".contains($0) }))
        }
    }

    @Test("a hash verifies its own code however it is typed, and no other")
    func hashing() throws {
        let code = "ABCDE-FGHJK"
        let stored = try hasher.hash(code)
        #expect(stored.hasPrefix("pbkdf2-sha256$10$"))
        #expect(!stored.contains("ABCDE"))
        for typed in ["ABCDE-FGHJK", "abcde fghjk", "abcdefghjk", " AbCdE-fGhJk "] {
            #expect(try hasher.verify(typed, against: stored), "\(typed)")
        }
        #expect(try !hasher.verify("ABCDE-FGHJM", against: stored))
        #expect(try hasher.hash(code) != stored, "salted: two hashes of one code differ")
    }

    @Test("the pepper is part of the hash: another store key does not verify")
    func pepper() throws {
        let stored = try hasher.hash("ABCDE-FGHJK")
        let other = RecoveryCodeHasher(pepper: SymmetricKey(size: .bits256), rounds: 10)
        #expect(try !other.verify("ABCDE-FGHJK", against: stored))
    }

    @Test("stored parameters are honoured, so the work factor can be raised later")
    func storedParameters() throws {
        let pepper = SymmetricKey(size: .bits256)
        let stored = try RecoveryCodeHasher(pepper: pepper, rounds: 10).hash("ABCDE-FGHJK")
        let raised = RecoveryCodeHasher(pepper: pepper, rounds: 50)
        #expect(try raised.hash("ABCDE-FGHJK").hasPrefix("pbkdf2-sha256$50$"))
        #expect(try raised.verify("ABCDE-FGHJK", against: stored))
    }

    @Test("malformed stored hashes never match", arguments: ["", "pbkdf2-sha256$10$$", "md5$1$AA==$AA==", "pbkdf2-sha256$x$AA==$AA=="])
    func malformed(stored: String) throws {
        #expect(try !hasher.verify("ABCDE-FGHJK", against: stored))
    }
}
