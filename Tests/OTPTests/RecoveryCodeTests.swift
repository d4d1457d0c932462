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

    @Test("a set finds each code's slot however it is typed, and no other code")
    func hashing() throws {
        let codes = ["ABCDE-FGHJK", "MNPQR-STVWX", "23456-789AB"]
        let stored = try hasher.hash(codes)
        #expect(stored.count == RecoveryCodeHasher.headerBytes + 3 * RecoveryCodeHasher.digestBytes)
        #expect(Array(stored.prefix(3)) == [2, 0, 10])
        #expect(!String(decoding: stored, as: UTF8.self).contains("ABCDE"))
        for (slot, typed) in ["abcde fghjk", "mnpqrstvwx", " 23456-789ab "].enumerated() {
            #expect(try hasher.slot(matching: typed, in: stored) == slot, "\(typed)")
        }
        #expect(try hasher.slot(matching: "ABCDE-FGHJM", in: stored) == nil)
        #expect(try hasher.hash(codes) != stored, "salted: two sets of the same codes differ")
    }

    @Test("each slot has its own salt: one code in two slots gives two digests")
    func slotSalts() throws {
        let stored = try hasher.hash(["ABCDE-FGHJK", "ABCDE-FGHJK"])
        let digests = stride(from: RecoveryCodeHasher.headerBytes, to: stored.count, by: RecoveryCodeHasher.digestBytes).map {
            Array(stored[$0..<$0 + RecoveryCodeHasher.digestBytes])
        }
        #expect(digests.count == 2 && digests[0] != digests[1])
        #expect(try hasher.slot(matching: "ABCDE-FGHJK", in: stored) == 0)
    }

    @Test("the pepper is part of the hash: another store key matches nothing")
    func pepper() throws {
        let stored = try hasher.hash(["ABCDE-FGHJK"])
        let other = RecoveryCodeHasher(pepper: SymmetricKey(size: .bits256), rounds: 10)
        #expect(try other.slot(matching: "ABCDE-FGHJK", in: stored) == nil)
    }

    @Test("stored rounds are honoured, so the work factor can be raised later")
    func storedParameters() throws {
        let pepper = SymmetricKey(size: .bits256)
        let stored = try RecoveryCodeHasher(pepper: pepper, rounds: 10).hash(["ABCDE-FGHJK"])
        let raised = RecoveryCodeHasher(pepper: pepper, rounds: 50)
        #expect(try Array(raised.hash(["ABCDE-FGHJK"]).prefix(3)) == [2, 0, 50])
        #expect(try raised.slot(matching: "ABCDE-FGHJK", in: stored) == 0)
    }

    /// PBKDF2-HMAC-SHA256 over HMAC-SHA256(pepper, code), computed here rather than by the hasher.
    private func legacyDigest(_ code: String, pepper: SymmetricKey, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let peppered = Array(HMAC<SHA256>.authenticationCode(for: Array(code.utf8), using: pepper))
        return try KDF.Insecure.PBKDF2.deriveKey(from: peppered, salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
            .withUnsafeBytes { Array($0) }
    }

    @Test("codes hashed one by one before schema 3, binary (schema 2) and text (schema 1), still match in a listed set")
    func listedHashes() throws {
        let pepper = SymmetricKey(size: .bits256)
        let salt = [UInt8](repeating: 7, count: 16)
        let binary = [1, 0, 10] + salt + (try legacyDigest("ABCDEFGHJK", pepper: pepper, salt: salt, rounds: 10))
        let textDigest = try legacyDigest("MNPQRSTVWX", pepper: pepper, salt: salt, rounds: 12)
        let text = Array("pbkdf2-sha256$12$\(Data(salt).base64EncodedString())$\(Data(textDigest).base64EncodedString())".utf8)
        let stored = RecoveryCodeHasher.set(listing: [binary, Array("md5$1$AA==$AA==".utf8), [UInt8](repeating: 1, count: 300), text])
        let hasher = RecoveryCodeHasher(pepper: pepper)
        #expect(try hasher.slot(matching: "abcde-fghjk", in: stored) == 0)
        #expect(try hasher.slot(matching: "mnpqr-stvwx", in: stored) == 3, "malformed entries keep their slots")
        #expect(try hasher.slot(matching: "ABCDE-FGHJM", in: stored) == nil)
    }

    @Test(
        "malformed stored sets never match",
        arguments: [
            [], [2], [2, 0, 10], [2, 0, 0] + [UInt8](repeating: 0, count: 32), [2, 0, 10] + [UInt8](repeating: 0, count: 20),
            [3] + [UInt8](repeating: 0, count: 34), [1, 60, 1], [1, 0], [1, 3] + Array("md5".utf8),
            [1, 17] + Array("pbkdf2-sha256$0$$".utf8), [1, 51, 1, 0, 0] + [UInt8](repeating: 0, count: 48),
        ])
    func malformed(stored: [UInt8]) throws {
        #expect(try hasher.slot(matching: "ABCDE-FGHJK", in: stored) == nil)
    }
}
