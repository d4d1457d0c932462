import Crypto
import Foundation
import Logging
import OTP
import SQLiteDB
import TestSupport
import Testing

@testable import MFAStore

@Suite("store: initialisation, keys and migrations")
struct StoreInitialisationTests {
    let folder: TemporaryDirectory
    let logger = Logger(label: "test")

    init() throws { folder = try TemporaryDirectory("store") }

    var databasePath: String { folder.path("mfa.sqlite") }
    var keyPath: String { folder.path("mfa.key") }

    @Test("init creates the database and a 32-byte key file of mode 0600")
    func initialise() throws {
        let (store, report) = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        #expect(report.createdDatabase && report.createdKeyFile)
        #expect(store.schemaVersion == Schema.latestVersion)
        #expect(fileMode(keyPath) == 0o600)
        #expect(fileMode(databasePath) == 0o600)
        #expect(FileManager.default.contents(atPath: keyPath)?.count == 32)
    }

    @Test("a second init leaves the key alone and reports it")
    func initialiseTwice() throws {
        _ = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        let key = FileManager.default.contents(atPath: keyPath)
        let (_, report) = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        #expect(!report.createdDatabase && !report.createdKeyFile)
        #expect(FileManager.default.contents(atPath: keyPath) == key)
    }

    @Test("migrations are idempotent: reopening applies nothing and changes nothing")
    func migrationsIdempotent() throws {
        _ = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        let schema = try Database(path: databasePath).rows("SELECT sql FROM sqlite_schema ORDER BY name") { $0.optionalText(0) }
        for _ in 0..<3 { _ = try Store.open(path: databasePath, keyFilePath: keyPath, logger: logger) }
        let again = try Database(path: databasePath).rows("SELECT sql FROM sqlite_schema ORDER BY name") { $0.optionalText(0) }
        #expect(schema == again)
        #expect(try Database(path: databasePath).integer("PRAGMA user_version") == Int64(Schema.latestVersion))
    }

    @Test("schemas 2 and 3 keep a schema-1 store's recovery codes: each enrolment's hashes listed in slot order, uses kept")
    func migrationFromVersion1() throws {
        let first = "pbkdf2-sha256$32$" + String(repeating: "A", count: 22) + "==$" + String(repeating: "B", count: 43) + "="
        let second = first.replacingOccurrences(of: "B", with: "C")
        let third = first.replacingOccurrences(of: "B", with: "D")
        let old = try Database(path: databasePath)
        try old.execute(Schema.version1 + "PRAGMA user_version = 1;")
        try old.execute(
            """
            INSERT INTO organisations VALUES (1, 'RX1', 0);
            INSERT INTO logins (id, organisation_id, environment, username, display_name, user_type, status, created_at, updated_at)
                VALUES (1, 1, 'live', 'a@nhs.net', 'A', 'staff', 'active', 0, 0), (2, 1, 'live', 'b@nhs.net', 'B', 'staff', 'active', 0, 0);
            INSERT INTO enrolments (id, login_id, state, sealed_secret, algorithm, digits, period, issuer, account_name, created_at)
                VALUES (7, 1, 'pending', randomblob(40), 'sha1', 6, 30, 'Inhealthcare', 'a@nhs.net (Live)', 0),
                       (8, 2, 'pending', randomblob(40), 'sha1', 6, 30, 'Inhealthcare', 'b@nhs.net (Live)', 0);
            INSERT INTO enrolments (id, login_id, state, end_reason, algorithm, digits, period, issuer, account_name, created_at, ended_at)
                VALUES (6, 2, 'expired', 'user-deleted', 'sha1', 6, 30, 'Inhealthcare', 'b@nhs.net (Live)', 0, 1);
            INSERT INTO recovery_codes (id, enrolment_id, code_hash, used_at, used_app) VALUES
                (5, 7, '\(first)', NULL, NULL), (9, 7, '\(second)', 100, 'Portal'), (6, 8, '\(third)', NULL, NULL);
            """)
        let (store, _) = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        #expect(store.schemaVersion == Schema.latestVersion)
        let sets = try store.database.rows("SELECT id, recovery_codes, recovery_codes_issued FROM enrolments ORDER BY id") {
            "\($0.int64(0)) \($0.optionalBlob(1).map { $0.map(String.init).joined(separator: ",") } ?? "-") \($0.int64(2))"
        }
        func listed(_ hashes: [String]) -> String {
            RecoveryCodeHasher.set(listing: hashes.map { Array($0.utf8) }).map(String.init).joined(separator: ",")
        }
        #expect(sets == ["6 - 0", "7 \(listed([first, second])) 2", "8 \(listed([third])) 1"])
        let uses = try store.database.rows("SELECT enrolment_id, slot, used_at, used_app FROM recovery_code_uses") {
            "\($0.int64(0)) \($0.int64(1)) \($0.int64(2)) \($0.optionalText(3) ?? "-")"
        }
        #expect(uses == ["7 1 100 Portal"])
        #expect(try store.database.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'recovery_codes'") == 0)
    }

    @Test("the wrong key file gives a clear error, never garbage")
    func wrongKey() throws {
        _ = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        let otherKey = folder.path("other.key")
        _ = try KeyFile.create(at: otherKey)
        let error = #expect(throws: StoreError.self) { try Store.open(path: databasePath, keyFilePath: otherKey, logger: logger) }
        #expect(error?.localizedDescription.contains("does not open the store") == true)
        #expect(throws: StoreError.self) { try Store.initialise(path: databasePath, keyFilePath: otherKey, logger: logger) }
    }

    @Test("init on a set-up store with its key missing refuses to make a new key")
    func missingKeyForExistingStore() throws {
        _ = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        let error = #expect(throws: StoreError.self) {
            try Store.initialise(path: databasePath, keyFilePath: folder.path("absent.key"), logger: logger)
        }
        #expect(error?.localizedDescription.contains("a new key could never open") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path("absent.key")))
    }

    @Test("key files others can read, or of the wrong size, are refused")
    func badKeyFiles() throws {
        _ = try Store.initialise(path: databasePath, keyFilePath: keyPath, logger: logger)
        chmod(keyPath, 0o644)
        let open = #expect(throws: StoreError.self) { try Store.open(path: databasePath, keyFilePath: keyPath, logger: logger) }
        #expect(open?.localizedDescription.contains("chmod 600") == true)
        let short = try folder.write("short.key", Data(repeating: 1, count: 16))
        chmod(short, 0o600)
        let size = #expect(throws: StoreError.self) { try Store.open(path: databasePath, keyFilePath: short, logger: logger) }
        #expect(size?.localizedDescription.contains("16 bytes") == true)
    }

    @Test("opening a missing store, a non-database or a foreign database says so")
    func notAStore() throws {
        _ = try KeyFile.create(at: keyPath)
        let missing = #expect(throws: StoreError.self) { try Store.open(path: databasePath, keyFilePath: keyPath, logger: logger) }
        #expect(missing?.localizedDescription.contains("mfa-admin init") == true)

        let junk = try folder.write("junk.sqlite", String(repeating: "x", count: 4096))
        let notDatabase = #expect(throws: StoreError.self) { try Store.open(path: junk, keyFilePath: keyPath, logger: logger) }
        #expect(notDatabase?.localizedDescription.contains("is not an MFA store") == true)

        let foreign = folder.path("foreign.sqlite")
        try Database(path: foreign).execute("CREATE TABLE photos (id INTEGER)")
        #expect(throws: StoreError.self) { try Store.open(path: foreign, keyFilePath: keyPath, logger: logger) }
        #expect(try Database(path: foreign).integer("SELECT count(*) FROM sqlite_schema") == 1)
    }
}

@Suite("store: sealing secrets")
struct SealingTests {
    @Test("a sealed secret opens only with its key and its own enrolment id")
    func sealing() throws {
        let folder = try TemporaryDirectory("seal")
        let (store, _) = try Store.initialise(path: folder.path("a.sqlite"), keyFilePath: folder.path("a.key"), logger: Logger(label: "t"))
        let (other, _) = try Store.initialise(path: folder.path("b.sqlite"), keyFilePath: folder.path("b.key"), logger: Logger(label: "t"))
        let secret = Array("12345678901234567890".utf8)
        let sealed = try store.vault.sealSecret(secret, enrolmentID: 7)
        #expect(sealed.count == 12 + secret.count + 16)
        #expect(try store.vault.openSecret(sealed, enrolmentID: 7) == secret)
        #expect(throws: StoreError.sealedSecretDamaged(enrolmentID: 8)) { try store.vault.openSecret(sealed, enrolmentID: 8) }
        #expect(throws: StoreError.sealedSecretDamaged(enrolmentID: 7)) { try other.vault.openSecret(sealed, enrolmentID: 7) }
        var flipped = sealed
        flipped[20] ^= 1
        #expect(throws: StoreError.self) { try store.vault.openSecret(flipped, enrolmentID: 7) }
        #expect(try store.vault.sealSecret(secret, enrolmentID: 7) != sealed, "a fresh nonce each time")
    }
}
