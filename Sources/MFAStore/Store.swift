import Crypto
import Foundation
import Logging
import SQLiteDB

/// The MFA store: one SQLite database plus the key file that opens its secrets.
public final class Store {
    public let database: Database
    public let vault: Vault
    public let path: String
    public let keyFilePath: String
    public let logger: Logger
    /// Seconds since the Unix epoch; replaceable so scenarios can be scripted.
    public let clock: @Sendable () -> Int64

    public static let systemClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    public var now: Int64 { clock() }

    private init(database: Database, vault: Vault, path: String, keyFilePath: String, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.database = database
        self.vault = vault
        self.path = path
        self.keyFilePath = keyFilePath
        self.logger = logger
        self.clock = clock
    }

    /// What `initialise` found and did.
    public struct InitialisationReport: Sendable {
        public var createdDatabase: Bool
        public var createdKeyFile: Bool
    }

    /// Creates the database and the key file where they are missing; never replaces a
    /// key. Safe to run again: an initialised store is checked against its key and left alone.
    public static func initialise(
        path: String, keyFilePath: String, logger: Logger, clock: @escaping @Sendable () -> Int64 = systemClock
    ) throws -> (Store, InitialisationReport) {
        let databaseExisted = FileManager.default.fileExists(atPath: path)
        if !databaseExisted {
            // The database holds sealed secrets and code hashes: readable by its owner only.
            let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        let database = try openDatabase(path: path, readOnly: false)
        try migrate(database, path: path, logger: logger)
        let hasKeys = try database.integer("SELECT count(*) FROM store_keys") ?? 0 > 0

        let storeKey: SymmetricKey
        var createdKeyFile = false
        if FileManager.default.fileExists(atPath: keyFilePath) {
            storeKey = try KeyFile.load(from: keyFilePath)
        } else if hasKeys {
            throw StoreError.keyFileMissingForExistingStore(keyFile: keyFilePath, store: path)
        } else {
            storeKey = try KeyFile.create(at: keyFilePath)
            createdKeyFile = true
            logger.info("created key file", metadata: ["path": "\(keyFilePath)"])
        }

        if !hasKeys {
            try database.inTransaction {
                for purpose in Vault.Purpose.allCases {
                    let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
                    try database.run(
                        "INSERT INTO store_keys (purpose, sealed_key) VALUES (?, ?)",
                        [purpose.rawValue, try Vault.seal(key, key: storeKey, context: Vault.keyContext(purpose))])
                }
            }
        }
        let vault = try loadVault(database, storeKey: storeKey, path: path, keyFilePath: keyFilePath)
        let store = Store(database: database, vault: vault, path: path, keyFilePath: keyFilePath, logger: logger, clock: clock)
        return (store, InitialisationReport(createdDatabase: !databaseExisted, createdKeyFile: createdKeyFile))
    }

    /// Opens an initialised store, applying any pending migrations.
    public static func open(
        path: String, keyFilePath: String, logger: Logger, clock: @escaping @Sendable () -> Int64 = systemClock
    ) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.storeNotFound(path: path) }
        let storeKey = try KeyFile.load(from: keyFilePath)
        let database = try openDatabase(path: path, readOnly: false)
        try migrate(database, path: path, logger: logger)
        let vault = try loadVault(database, storeKey: storeKey, path: path, keyFilePath: keyFilePath)
        return Store(database: database, vault: vault, path: path, keyFilePath: keyFilePath, logger: logger, clock: clock)
    }

    private static func openDatabase(path: String, readOnly: Bool) throws -> Database {
        var configuration = Database.Configuration()
        configuration.readOnly = readOnly
        // (A `catch … where` on this typed throw crashes the Swift 6.3.1 compiler.)
        let result = Result { () throws(DatabaseError) in try Database(path: path, configuration: configuration) }
        if case .failure(let error) = result, error.isNotADatabase {
            throw StoreError.notAStore(path: path, reason: error.message)
        }
        return try result.get()
    }

    static func migrate(_ database: Database, path: String, logger: Logger) throws {
        let version = try schemaVersion(of: database)
        if version > Schema.latestVersion {
            throw StoreError.newerSchema(path: path, found: version, supported: Schema.latestVersion)
        }
        guard version < Schema.latestVersion else { return }
        try database.inTransaction {
            // Another process may have migrated while we waited for the write lock.
            let lockedVersion = try schemaVersion(of: database)
            if lockedVersion == 0, try database.integer("SELECT count(*) FROM sqlite_schema") ?? 0 > 0 {
                throw StoreError.notAStore(path: path, reason: "it is an SQLite database with other tables")
            }
            for (index, migration) in Schema.migrations.enumerated() where index >= lockedVersion {
                try database.execute(migration.sql)
                try migration.then?(database)
                try database.execute("PRAGMA user_version = \(index + 1)")
                logger.info("applied migration", metadata: ["version": "\(index + 1)", "store": "\(path)"])
            }
        }
    }

    static func schemaVersion(of database: Database) throws -> Int {
        Int(try database.integer("PRAGMA user_version") ?? 0)
    }

    private static func loadVault(_ database: Database, storeKey: SymmetricKey, path: String, keyFilePath: String) throws -> Vault {
        var keys = [Vault.Purpose: SymmetricKey]()
        for (purpose, sealed) in try database.rows("SELECT purpose, sealed_key FROM store_keys", read: { ($0.text(0), $0.blob(1)) }) {
            guard let purpose = Vault.Purpose(rawValue: purpose) else { continue }
            guard let key = Vault.open(sealed, key: storeKey, context: Vault.keyContext(purpose)) else {
                throw StoreError.wrongKey(keyFile: keyFilePath, store: path)
            }
            keys[purpose] = SymmetricKey(data: key)
        }
        guard let pepper = keys[.recoveryCodePepper], let auditKey = keys[.auditChain] else {
            throw StoreError.storeNotInitialised(path: path)
        }
        return Vault(storeKey: storeKey, recoveryCodePepper: pepper, auditKey: auditKey)
    }

    public var schemaVersion: Int { (try? Self.schemaVersion(of: database)) ?? 0 }
}
