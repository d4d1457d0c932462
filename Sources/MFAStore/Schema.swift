import OTP
import SQLiteDB

/// Numbered migrations, applied in order on open; `PRAGMA user_version` records the
/// last one applied. Never edit a released migration: add the next one.
public enum Schema {
    struct Migration: Sendable {
        var sql: String
        /// What SQL alone cannot do, run after `sql` in the same transaction.
        var then: (@Sendable (Database) throws -> Void)?
    }

    static let migrations: [Migration] = [
        Migration(sql: version1), Migration(sql: version2), Migration(sql: version3, then: moveRecoveryCodesIntoEnrolments),
    ]

    /// The login key: one login per username in each organisation and environment. A
    /// named index rather than a table constraint, so a bulk load into an empty table
    /// can build it once at the end instead of updating it a million times.
    public static let loginKeyIndexName = "logins_key"

    /// `(column = 'a' OR column = 'b')`. SQLite evaluates `column IN ('a', 'b')` in a
    /// CHECK by building a temporary table for every row, which tripled the cost of a
    /// bulk insert; the equivalent comparisons cost nothing.
    static func oneOf(_ column: String, _ values: [String]) -> String {
        "(" + values.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
    }
    public static let loginKeyIndex =
        "CREATE UNIQUE INDEX \(loginKeyIndexName) ON logins (organisation_id, environment, username)"

    static var latestVersion: Int { migrations.count }

    /// Constraints live here, not only in code: the unique login key, one current
    /// enrolment per login, unique account names among current enrolments, foreign
    /// keys, and CHECKs on every state.
    static let version1 = """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
            created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE logins (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            environment TEXT NOT NULL CHECK (\(oneOf("environment", ["live", "sandpit"]))),
            username TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 254),
            email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
            display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
            roles TEXT NOT NULL DEFAULT '',
            user_type TEXT NOT NULL CHECK (\(oneOf("user_type", ["staff", "patient", "service"]))),
            status TEXT NOT NULL CHECK (\(oneOf("status", ["active", "deleted"]))),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deleted_at INTEGER,
            CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
        ) STRICT;
        \(loginKeyIndex);

        CREATE TABLE enrolments (
            id INTEGER PRIMARY KEY,
            login_id INTEGER NOT NULL REFERENCES logins(id),
            state TEXT NOT NULL CHECK (\(oneOf("state", ["pending", "active", "ended", "expired"]))),
            end_reason TEXT CHECK (\(oneOf("end_reason", ["reset", "user-deleted", "never-activated"]))),
            sealed_secret BLOB CHECK (sealed_secret IS NULL OR length(sealed_secret) > 28),
            algorithm TEXT NOT NULL CHECK (\(oneOf("algorithm", ["sha1", "sha256", "sha512"]))),
            digits INTEGER NOT NULL CHECK (digits BETWEEN 6 AND 8),
            period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 3600),
            issuer TEXT NOT NULL CHECK (length(issuer) > 0 AND instr(issuer, ':') = 0),
            account_name TEXT NOT NULL CHECK (length(account_name) > 0 AND instr(account_name, ':') = 0),
            last_step INTEGER NOT NULL DEFAULT -1,
            failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
            locked_at INTEGER,
            created_at INTEGER NOT NULL,
            activated_at INTEGER,
            ended_at INTEGER,
            sheet_issued_at INTEGER,
            last_used_at INTEGER,
            last_used_app TEXT,
            -- A current enrolment has a secret; an ended one has had it erased.
            CHECK ((\(oneOf("state", ["pending", "active"]))) = (sealed_secret IS NOT NULL)),
            CHECK ((\(oneOf("state", ["ended", "expired"]))) = (ended_at IS NOT NULL)),
            CHECK ((\(oneOf("state", ["ended", "expired"]))) = (end_reason IS NOT NULL)),
            CHECK (state <> 'active' OR activated_at IS NOT NULL)
        ) STRICT;
        CREATE UNIQUE INDEX enrolments_one_current_per_login
            ON enrolments(login_id) WHERE \(oneOf("state", ["pending", "active"]));
        -- Authenticator apps tell accounts apart by account name: two current ones must differ.
        CREATE UNIQUE INDEX enrolments_unique_current_account_name
            ON enrolments(account_name) WHERE \(oneOf("state", ["pending", "active"]));
        CREATE INDEX enrolments_by_login ON enrolments(login_id);

        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
            code_hash TEXT NOT NULL,
            used_at INTEGER,
            used_app TEXT,
            CHECK (used_app IS NULL OR used_at IS NOT NULL)
        ) STRICT;
        CREATE INDEX recovery_codes_by_enrolment ON recovery_codes(enrolment_id);

        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            format TEXT NOT NULL CHECK (\(oneOf("format", ["csv", "xml"]))),
            mode TEXT NOT NULL CHECK (\(oneOf("mode", ["upsert", "full-roster"]))),
            records INTEGER NOT NULL CHECK (records >= 0),
            added INTEGER NOT NULL CHECK (added >= 0),
            updated INTEGER NOT NULL CHECK (updated >= 0),
            unchanged INTEGER NOT NULL CHECK (unchanged >= 0),
            deleted INTEGER NOT NULL CHECK (deleted >= 0),
            rejected INTEGER NOT NULL CHECK (rejected >= 0),
            started_at INTEGER NOT NULL,
            finished_at INTEGER NOT NULL CHECK (finished_at >= started_at)
        ) STRICT;

        -- Append-only, hash-chained: each hash is an HMAC over the event and the previous hash.
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (\(oneOf("outcome", ["ok", "refused", "failed"]))),
            organisation TEXT,
            environment TEXT CHECK (environment IS NULL OR \(oneOf("environment", ["live", "sandpit"]))),
            username TEXT,
            login_id INTEGER,
            enrolment_id INTEGER,
            app TEXT,
            detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
            previous_hash BLOB NOT NULL CHECK (length(previous_hash) = 32),
            hash BLOB NOT NULL CHECK (length(hash) = 32)
        ) STRICT;
        CREATE INDEX events_by_kind_at ON events(kind, at);
        CREATE INDEX events_by_at ON events(at);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

        -- Keys other than the store key, sealed under it (see Vault).
        CREATE TABLE store_keys (
            purpose TEXT PRIMARY KEY CHECK (\(oneOf("purpose", ["recovery-code-pepper", "audit-chain"]))),
            sealed_key BLOB NOT NULL
        ) STRICT;
        """

    /// Schema 2, for a million logins:
    /// - `mfa-expire` looks every night for deleted logins and for pending enrolments past
    ///   their age: without these small partial indexes it read every enrolment and its
    ///   login (2 s of a 13 s run at a million logins).
    /// - Recovery codes are kept by (enrolment, slot) without a rowid, with 51-byte binary
    ///   hashes instead of 86-byte text: the table and its index took 1 GB per million
    ///   logins and half of every bulk expiry's page writes; now 0.65 GB. Text hashes from
    ///   schema 1 are copied as they are and still verify.
    static let version2 = """
        CREATE INDEX logins_deleted ON logins(organisation_id, environment) WHERE status = 'deleted';
        CREATE INDEX enrolments_pending_by_created ON enrolments(created_at) WHERE state = 'pending';

        CREATE TABLE recovery_codes_by_slot (
            enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
            slot INTEGER NOT NULL CHECK (slot >= 0),
            code_hash BLOB NOT NULL CHECK (length(code_hash) > 0),
            used_at INTEGER,
            used_app TEXT,
            CHECK (used_app IS NULL OR used_at IS NOT NULL),
            PRIMARY KEY (enrolment_id, slot)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO recovery_codes_by_slot (enrolment_id, slot, code_hash, used_at, used_app)
            SELECT enrolment_id, row_number() OVER (PARTITION BY enrolment_id ORDER BY id) - 1, CAST(code_hash AS BLOB),
                   used_at, used_app
            FROM recovery_codes ORDER BY enrolment_id, id;
        DROP TABLE recovery_codes;
        ALTER TABLE recovery_codes_by_slot RENAME TO recovery_codes;
        """

    /// Schema 3: an enrolment's recovery codes are one hashed set in its row
    /// (`RecoveryCodeHasher`), erased with the secret, and `recovery_code_uses` records which
    /// slots were used, when and in which app. With a row per code, expiring 100,000 of a
    /// million enrolments deleted a million rows spread over nearly every page of a 650 MB
    /// table; now it rewrites part of one table (README, "Performance"). The schema itself
    /// says that only a current enrolment has codes.
    static let version3 = """
        ALTER TABLE enrolments ADD COLUMN recovery_codes_issued INTEGER NOT NULL DEFAULT 0 CHECK (recovery_codes_issued >= 0);
        ALTER TABLE enrolments ADD COLUMN recovery_codes BLOB
            CHECK (recovery_codes IS NULL OR (\(oneOf("state", ["pending", "active"]))) AND length(recovery_codes) > 1);
        CREATE TABLE recovery_code_uses (
            enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
            slot INTEGER NOT NULL CHECK (slot >= 0),
            used_at INTEGER NOT NULL,
            used_app TEXT,
            PRIMARY KEY (enrolment_id, slot)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO recovery_code_uses (enrolment_id, slot, used_at, used_app)
            SELECT enrolment_id, slot, used_at, used_app FROM recovery_codes WHERE used_at IS NOT NULL;
        """

    /// Each enrolment's codes, hashed one by one until schema 3, become one set listing
    /// their hashes as they were (their codes are unknown, so they cannot be hashed anew).
    @Sendable static func moveRecoveryCodesIntoEnrolments(_ database: Database) throws {
        // Statements are finalised when this scope ends, before the table is dropped.
        do {
            let update = try database.prepare("UPDATE enrolments SET recovery_codes = ?, recovery_codes_issued = ? WHERE id = ?")
            let codes = try database.prepare("SELECT enrolment_id, code_hash FROM recovery_codes ORDER BY enrolment_id, slot")
            var enrolmentID: Int64?
            var hashes: [[UInt8]] = []
            func moveCodes() throws {
                guard let enrolmentID else { return }
                try update.bind([RecoveryCodeHasher.set(listing: hashes), hashes.count, enrolmentID])
                try update.run()
            }
            while try codes.step() {
                if codes.int64(0) != enrolmentID {
                    try moveCodes()
                    (enrolmentID, hashes) = (codes.int64(0), [])
                }
                hashes.append(codes.blob(1))
            }
            try moveCodes()
        }
        try database.execute("DROP TABLE recovery_codes")
    }
}
