import Foundation
import Crypto

import SQLiteDB

extension Store {
    /// Re-seals every secret, and the keys sealed under the store key, under the key in
    /// `newKeyFile` (created, mode 0600, if it does not exist), in one transaction: a
    /// crash midway leaves the old key valid and nothing half-done. Afterwards only the
    /// new key opens the store. Returns how many secrets were re-sealed.
    public func rotateKey(to newKeyFile: String) throws -> Int {
        let newKey = FileManager.default.fileExists(atPath: newKeyFile) ? try KeyFile.load(from: newKeyFile) : try KeyFile.create(at: newKeyFile)
        guard !newKey.withUnsafeBytes({ new in vault.storeKey.withUnsafeBytes { Array(new) == Array($0) } }) else {
            throw StoreError.sameKey(path: newKeyFile)
        }
        defer { try? eraseFreedContent() }  // the secrets sealed under the old key
        return try database.inTransaction(.immediate) {
            var count = 0
            let secrets = try database.rows("SELECT id, sealed_secret FROM enrolments WHERE sealed_secret IS NOT NULL") {
                ($0.int64(0), $0.blob(1))
            }
            let update = try database.prepare("UPDATE enrolments SET sealed_secret = ? WHERE id = ?")
            for (id, sealed) in secrets {
                let secret = try vault.openSecret(sealed, enrolmentID: id)
                try update.bind([try Vault.seal(secret, key: newKey, context: Vault.secretContext(id)), id])
                try update.run()
                count += 1
            }
            for purpose in Vault.Purpose.allCases {
                let key = purpose == .recoveryCodePepper ? vault.recoveryCodePepper : vault.auditKey
                try database.run(
                    "UPDATE store_keys SET sealed_key = ? WHERE purpose = ?",
                    [try Vault.seal(key.withUnsafeBytes { Array($0) }, key: newKey, context: Vault.keyContext(purpose)), purpose.rawValue])
            }
            try record(Event(kind: "store.key_rotated", actor: "mfa-admin", detail: ["secrets": .integer(Int64(count))]))
            return count
        }
    }
}
