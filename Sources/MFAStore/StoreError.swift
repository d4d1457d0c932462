import Foundation

/// Why the store could not be opened or changed, in words an admin can act on.
public enum StoreError: Error, Equatable, Sendable {
    case storeNotFound(path: String)
    case notAStore(path: String, reason: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case keyFileNotFound(path: String)
    case keyFileUnreadable(path: String, reason: String)
    case keyFileWrongSize(path: String, bytes: Int)
    case keyFileTooOpen(path: String, mode: String)
    case keyFileExists(path: String)
    case sameKey(path: String)
    case wrongKey(keyFile: String, store: String)
    case keyFileMissingForExistingStore(keyFile: String, store: String)
    case storeNotInitialised(path: String)
    case sealedSecretDamaged(enrolmentID: Int64)
    /// A programming error: events were chained after a head that is no longer the last.
    case eventChainMoved
}

extension StoreError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .storeNotFound(path):
            return "no store at \(path); create one with `mfa-admin init --db \(path)`"
        case let .notAStore(path, reason):
            return "\(path) is not an MFA store (\(reason))"
        case let .newerSchema(path, found, supported):
            return "\(path) has schema version \(found), but this build knows only up to \(supported); use a newer mfa-toolchain"
        case let .keyFileNotFound(path):
            return "key file \(path) not found; pass the store's key with --key-file (or MFA_KEY_FILE), or create one with `mfa-admin init`"
        case let .keyFileUnreadable(path, reason):
            return "cannot read key file \(path): \(reason)"
        case let .keyFileWrongSize(path, bytes):
            return "key file \(path) holds \(bytes) bytes, not the 32 of a store key; is it the right file?"
        case let .keyFileTooOpen(path, mode):
            return "key file \(path) has mode \(mode), so other users can read it; run `chmod 600 \(path)`"
        case let .keyFileExists(path):
            return "key file \(path) already exists; it is never overwritten"
        case let .sameKey(path):
            return "\(path) holds the store's current key; give rotate-key a new key file (it creates one if the path does not exist)"
        case let .wrongKey(keyFile, store):
            return "key file \(keyFile) does not open the store \(store): it belongs to another store, or the store was re-keyed with `mfa-admin rotate-key`"
        case let .keyFileMissingForExistingStore(keyFile, store):
            return "the store \(store) is already set up with a key, but key file \(keyFile) does not exist; pass the store's key file with --key-file (a new key could never open this store)"
        case let .storeNotInitialised(path):
            return "\(path) has no store keys; run `mfa-admin init` on it"
        case let .sealedSecretDamaged(enrolmentID):
            return "the sealed secret of enrolment \(enrolmentID) does not open: the database row was changed outside the toolchain"
        case .eventChainMoved:
            return "internal error: events were prepared for the end of the audit trail, but it has moved on; nothing was changed"
        }
    }
}
