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

/// Hashes a login's recovery codes into one stored set, and finds the slot a typed code
/// matches.
///
/// A set (scheme 2) is the scheme, the rounds (16-bit big-endian), a 128-bit random salt,
/// then a 128-bit digest per slot: PBKDF2-HMAC-SHA256 over HMAC-SHA256(pepper, code),
/// salted with the set's salt and the slot number, so each code's digest must be attacked
/// alone. Ten codes take 179 bytes, small enough to live in the enrolment's row, where a
/// bulk expiry erases them with the secret instead of deleting ten rows of their own.
/// Sets moved from older stores (scheme 1) list each code's own hash, length-prefixed: the
/// 51-byte binary hashes of schema 2 (scheme 1, rounds, salt, 256-bit digest) and the text
/// hashes of schema 1 (`pbkdf2-sha256$ROUNDS$SALT$DIGEST`, base64), which still verify.
/// The rounds are stored, so the work factor can be raised later. The pepper is a key kept
/// outside the database, so a stolen database alone does not allow offline guessing.
public struct RecoveryCodeHasher: Sendable {
    /// Chosen from measurements on the reference machine: see README, "Security".
    public static let defaultRounds = 32
    public static let saltBytes = 16
    public static let digestBytes = 16
    public static let headerBytes = 3 + saltBytes
    private static let setScheme: UInt8 = 2
    private static let listScheme: UInt8 = 1
    private static let binaryHashScheme: UInt8 = 1
    private static let binaryHashBytes = 3 + saltBytes + 32
    private static let textScheme = "pbkdf2-sha256"

    /// Keyed once: keying HMAC costs as much as using it.
    private let pepperMAC: HMAC<SHA256>
    public let rounds: Int

    public init(pepper: SymmetricKey, rounds: Int = defaultRounds) {
        precondition((1...Int(UInt16.max)).contains(rounds), "recovery-code rounds must fit in 16 bits")
        pepperMAC = HMAC<SHA256>(key: pepper)
        self.rounds = rounds
    }

    /// The stored set for `codes`, in slot order.
    public func hash(_ codes: [String]) throws -> [UInt8] {
        precondition(codes.count <= Int(UInt8.max) + 1, "a slot number is one byte of the salt")
        var stored = [Self.setScheme, UInt8(rounds >> 8), UInt8(rounds & 0xFF)]
        stored.reserveCapacity(Self.headerBytes + codes.count * Self.digestBytes)
        let setSalt = SecureRandom.bytes(Self.saltBytes)
        stored += setSalt
        for (slot, code) in codes.enumerated() {
            stored += try derive(code, salt: Self.salt(setSalt[...], slot: slot), rounds: rounds, byteCount: Self.digestBytes)
        }
        return stored
    }

    /// The slot whose code is `typed`, if any. Every slot is derived and compared in
    /// constant time, so the time taken does not say which code (if any) was close. A
    /// malformed set matches nothing.
    public func slot(matching typed: String, in stored: [UInt8]) throws -> Int? {
        var match: Int?
        for (slot, entry) in Self.entries(of: stored).enumerated() where entry.rounds > 0 && !entry.digest.isEmpty {
            let derived = try derive(typed, salt: entry.salt, rounds: entry.rounds, byteCount: entry.digest.count)
            if constantTimeEquals(derived, Array(entry.digest)), match == nil { match = slot }
        }
        return match
    }

    /// A set of scheme 1 from codes hashed one by one, as stores before schema 3 kept them.
    public static func set(listing hashes: [[UInt8]]) -> [UInt8] {
        var stored = [listScheme]
        for hash in hashes {
            // No hash we ever wrote is this long; an empty entry keeps the slots in place.
            let entry = hash.count <= Int(UInt8.max) ? hash : []
            stored.append(UInt8(entry.count))
            stored += entry
        }
        return stored
    }

    private struct Entry {
        var rounds: Int
        var salt: ArraySlice<UInt8>
        var digest: ArraySlice<UInt8>
    }

    /// A slot's salt in a set of scheme 2: the set's salt, then the slot number.
    private static func salt(_ setSalt: ArraySlice<UInt8>, slot: Int) -> ArraySlice<UInt8> {
        (Array(setSalt) + [UInt8(slot)])[...]
    }

    private static func entries(of stored: [UInt8]) -> [Entry] {
        guard let scheme = stored.first else { return [] }
        if scheme == setScheme {
            guard stored.count >= headerBytes, (stored.count - headerBytes) % digestBytes == 0 else { return [] }
            let rounds = Int(stored[1]) << 8 | Int(stored[2])
            guard rounds > 0 else { return [] }
            return stride(from: headerBytes, to: stored.count, by: digestBytes).enumerated().map { slot, offset in
                Entry(rounds: rounds, salt: salt(stored[3..<headerBytes], slot: slot), digest: stored[offset..<offset + digestBytes])
            }
        }
        guard scheme == listScheme else { return [] }
        var entries: [Entry] = []
        var offset = 1
        while offset < stored.count {
            let end = offset + 1 + Int(stored[offset])
            guard end <= stored.count else { return [] }
            // A malformed entry keeps its slot and matches nothing.
            entries.append(parseHash(Array(stored[offset + 1..<end])) ?? Entry(rounds: 0, salt: [], digest: []))
            offset = end
        }
        return entries
    }

    private static func parseHash(_ stored: [UInt8]) -> Entry? {
        if stored.count == binaryHashBytes, stored[0] == binaryHashScheme {
            let rounds = Int(stored[1]) << 8 | Int(stored[2])
            return rounds > 0 ? Entry(rounds: rounds, salt: stored[3..<3 + saltBytes], digest: stored[(3 + saltBytes)...]) : nil
        }
        let parts = String(decoding: stored, as: UTF8.self).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == textScheme, let rounds = Int(parts[1]), rounds > 0,
            let salt = Data(base64Encoded: String(parts[2])), let digest = Data(base64Encoded: String(parts[3])), !digest.isEmpty
        else { return nil }
        return Entry(rounds: rounds, salt: Array(salt)[...], digest: Array(digest)[...])
    }

    private func derive(_ code: String, salt: ArraySlice<UInt8>, rounds: Int, byteCount: Int) throws -> [UInt8] {
        var peppered = pepperMAC
        peppered.update(data: Array(RecoveryCode.normalise(code).utf8))
        // `unsafeUncheckedRounds`: swift-crypto's checked variant insists on password-grade
        // work factors; look-up secrets may use a small one (SP 800-63B §3.1.2.1).
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(peppered.finalize()), salt: salt, using: .sha256, outputByteCount: byteCount,
            unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}
