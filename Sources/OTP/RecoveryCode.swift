import Crypto
import CryptoExtras
import Foundation

/// Single-use recovery codes (NIST SP 800-63B look-up secrets).
///
/// Ten symbols from an alphabet without look-alikes (no 0, 1, I, L, O or U):
/// log2(30^10) ≈ 49 bits each, shown as `XXXXX-XXXXX`.
public enum RecoveryCode {
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    public static let length = 10
    public static let groupLength = 5

    public static func generate(count: Int) -> [String] {
        // Rejection sampling keeps every symbol equally likely: bytes of 240 and above
        // (the remainder of 256 / 30) are discarded.
        let limit = UInt8(256 - 256 % alphabet.count)
        var symbols = [UInt8]()
        symbols.reserveCapacity(count * length)
        while symbols.count < count * length {
            for byte in SecureRandom.bytes((count * length - symbols.count) * 9 / 8 + 4) where byte < limit {
                symbols.append(alphabet[Int(byte) % alphabet.count])
                if symbols.count == count * length { break }
            }
        }
        return (0..<count).map { index in format(symbols[index * length..<(index + 1) * length]) }
    }

    /// `ABCDE-FGHJK` from the symbols `ABCDEFGHJK`.
    static func format(_ symbols: ArraySlice<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(symbols.count + symbols.count / groupLength)
        for (offset, symbol) in symbols.enumerated() {
            if offset > 0 && offset % groupLength == 0 { text.append(UInt8(ascii: "-")) }
            text.append(symbol)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The canonical form of a code as someone typed it: case and separators ignored.
    /// Only ASCII letters change case: the alphabet is ASCII, so any other character
    /// fails to match either way, and bulk enrolment normalises ten codes a login.
    public static func normalise(_ typed: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(typed.utf8.count)
        for byte in typed.utf8 {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "_"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 32)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Hashes recovery codes for storage and checks typed codes against the hashes.
///
/// Each hash is PBKDF2-HMAC-SHA256 over HMAC-SHA256(pepper, code) with a 128-bit random
/// salt. A stored hash is 51 bytes: the scheme (1 = PBKDF2-HMAC-SHA256), the rounds
/// (16-bit big-endian), the salt and the digest, so the work factor can be raised later
/// and a million logins' codes stay small. Hashes written before schema 2 are text,
/// `pbkdf2-sha256$ROUNDS$SALT$DIGEST` (base64), and still verify. The pepper is a key
/// kept outside the database, so a stolen database alone does not allow offline guessing.
public struct RecoveryCodeHasher: Sendable {
    /// Chosen from measurements on the reference machine: see README, "Security".
    public static let defaultRounds = 32
    public static let saltBytes = 16
    public static let storedHashBytes = 3 + saltBytes + digestBytes
    private static let digestBytes = 32
    private static let binaryScheme: UInt8 = 1
    private static let textScheme = "pbkdf2-sha256"

    /// Keyed once: keying HMAC costs as much as using it.
    private let pepperMAC: HMAC<SHA256>
    public let rounds: Int

    public init(pepper: SymmetricKey, rounds: Int = defaultRounds) {
        precondition((1...Int(UInt16.max)).contains(rounds), "recovery-code rounds must fit in 16 bits")
        pepperMAC = HMAC<SHA256>(key: pepper)
        self.rounds = rounds
    }

    public func hash(_ code: String) throws -> [UInt8] {
        try hash([code])[0]
    }

    /// Hashes a login's codes together, fetching all their salts in one call.
    public func hash(_ codes: [String]) throws -> [[UInt8]] {
        let salts = SecureRandom.bytes(codes.count * Self.saltBytes)
        return try codes.enumerated().map { index, code in
            let salt = salts[index * Self.saltBytes..<(index + 1) * Self.saltBytes]
            var stored = [Self.binaryScheme, UInt8(rounds >> 8), UInt8(rounds & 0xFF)]
            stored.reserveCapacity(Self.storedHashBytes)
            stored += salt
            stored += try derive(code, salt: salt, rounds: rounds)
            return stored
        }
    }

    /// True when `typed` is the code behind `stored`; the digests are compared in
    /// constant time. A malformed stored hash never matches.
    public func verify(_ typed: String, against stored: [UInt8]) throws -> Bool {
        guard let (rounds, salt, expected) = Self.parse(stored), rounds > 0 else { return false }
        return constantTimeEquals(try derive(typed, salt: salt, rounds: rounds), expected)
    }

    private static func parse(_ stored: [UInt8]) -> (rounds: Int, salt: ArraySlice<UInt8>, digest: [UInt8])? {
        if stored.count == storedHashBytes, stored[0] == binaryScheme {
            return (Int(stored[1]) << 8 | Int(stored[2]), stored[3..<3 + saltBytes], Array(stored[(3 + saltBytes)...]))
        }
        let parts = String(decoding: stored, as: UTF8.self).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == textScheme, let rounds = Int(parts[1]),
            let salt = Data(base64Encoded: String(parts[2])), let digest = Data(base64Encoded: String(parts[3]))
        else { return nil }
        return (rounds, Array(salt)[...], Array(digest))
    }

    private func derive(_ code: String, salt: ArraySlice<UInt8>, rounds: Int) throws -> [UInt8] {
        var peppered = pepperMAC
        peppered.update(data: Array(RecoveryCode.normalise(code).utf8))
        // `unsafeUncheckedRounds`: swift-crypto's checked variant insists on password-grade
        // work factors; look-up secrets may use a small one (SP 800-63B §3.1.2.1).
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(peppered.finalize()), salt: salt, using: .sha256, outputByteCount: Self.digestBytes,
            unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}
