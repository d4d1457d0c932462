import Crypto
import CryptoExtras
import Foundation
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
        #expect(stored.count == RecoveryCodeHasher.storedHashBytes && Array(stored.prefix(3)) == [1, 0, 10])
        #expect(!String(decoding: stored, as: UTF8.self).contains("ABCDE"))
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
        #expect(try Array(raised.hash("ABCDE-FGHJK").prefix(3)) == [1, 0, 50])
        #expect(try raised.verify("ABCDE-FGHJK", against: stored))
    }

    @Test("text hashes from schema 1 still verify")
    func textHashes() throws {
        let pepper = SymmetricKey(size: .bits256)
        let salt = [UInt8](repeating: 7, count: 16)
        let peppered = Array(HMAC<SHA256>.authenticationCode(for: Array("ABCDEFGHJK".utf8), using: pepper))
        let digest = try KDF.Insecure.PBKDF2.deriveKey(from: peppered, salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: 10)
            .withUnsafeBytes { Data($0) }
        let stored = Array("pbkdf2-sha256$10$\(Data(salt).base64EncodedString())$\(digest.base64EncodedString())".utf8)
        let hasher = RecoveryCodeHasher(pepper: pepper)
        #expect(try hasher.verify("abcde-fghjk", against: stored))
        #expect(try !hasher.verify("ABCDE-FGHJM", against: stored))
    }

    @Test(
        "malformed stored hashes never match",
        arguments: ["", "pbkdf2-sha256$10$$", "md5$1$AA==$AA==", "pbkdf2-sha256$x$AA==$AA==", "pbkdf2-sha256$0$AA==$AA=="].map { Array($0.utf8) }
            + [[1, 0, 10], [UInt8](repeating: 1, count: 50), [2, 0, 10] + [UInt8](repeating: 0, count: 48)])
    func malformed(stored: [UInt8]) throws {
        #expect(try !hasher.verify("ABCDE-FGHJK", against: stored))
    }
}
