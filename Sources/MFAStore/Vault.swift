import Crypto
import Foundation
import OTP

/// Seals secrets under the store key, and holds the keys derived for other jobs.
///
/// Secrets are sealed with AES-256-GCM; the associated data names the enrolment, so a
/// sealed secret copied onto another enrolment's row does not open. The recovery-code
/// pepper and the audit-chain key are random keys stored sealed in the database, so
/// rotating the store key re-seals them without touching what they protect.
public struct Vault: Sendable {
    public enum Purpose: String, CaseIterable, Sendable {
        case recoveryCodePepper = "recovery-code-pepper"
        case auditChain = "audit-chain"
    }

    let storeKey: SymmetricKey
    public let recoveryCodePepper: SymmetricKey
    public let auditKey: SymmetricKey
    /// HMAC already keyed with the audit key: each event copies it rather than keying
    /// afresh, which cost as much as hashing the event.
    public let auditChainMAC: HMAC<SHA256>

    init(storeKey: SymmetricKey, recoveryCodePepper: SymmetricKey, auditKey: SymmetricKey) {
        self.storeKey = storeKey
        self.recoveryCodePepper = recoveryCodePepper
        self.auditKey = auditKey
        auditChainMAC = HMAC<SHA256>(key: auditKey)
    }

    public func sealSecret(_ secret: [UInt8], enrolmentID: Int64) throws -> [UInt8] {
        try Self.seal(secret, key: storeKey, context: Self.secretContext(enrolmentID))
    }

    public func openSecret(_ sealed: [UInt8], enrolmentID: Int64) throws(StoreError) -> [UInt8] {
        guard let secret = Self.open(sealed, key: storeKey, context: Self.secretContext(enrolmentID)) else {
            throw .sealedSecretDamaged(enrolmentID: enrolmentID)
        }
        return secret
    }

    public func recoveryCodeHasher(rounds: Int = RecoveryCodeHasher.defaultRounds) -> RecoveryCodeHasher {
        RecoveryCodeHasher(pepper: recoveryCodePepper, rounds: rounds)
    }

    static func secretContext(_ enrolmentID: Int64) -> [UInt8] { Array("enrolment:\(enrolmentID)".utf8) }
    static func keyContext(_ purpose: Purpose) -> [UInt8] { Array("store-key:\(purpose.rawValue)".utf8) }

    /// nonce ‖ ciphertext ‖ tag.
    static func seal(_ plaintext: some DataProtocol, key: SymmetricKey, context: [UInt8]) throws -> [UInt8] {
        let nonce = try AES.GCM.Nonce(data: SecureRandom.bytes(12))
        guard let combined = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: context).combined else {
            throw CryptoKitError.incorrectParameterSize
        }
        return Array(combined)
    }

    /// nil when the key, the context or the bytes are wrong: GCM authenticates all three.
    static func open(_ sealed: [UInt8], key: SymmetricKey, context: [UInt8]) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plaintext = try? AES.GCM.open(box, using: key, authenticating: context)
        else { return nil }
        return Array(plaintext)
    }
}
