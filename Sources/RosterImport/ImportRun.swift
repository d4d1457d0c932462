import MFAStore
import SQLiteDB

/// The state of one import run inside its transaction: which logins the files named,
/// and the problems found so far.
struct ImportRun {
    let store: Store
    let options: ImportOptions
    let now: Int64
    var onChange: ((LoginChange) -> Void)?

    var problems: [Problem] = []
    var fileProblems: [Problem] = []

    private var database: Database { store.database }
    private var organisationIDs: [String: Int64] = [:]
    /// Where each login was named in this run: file index << 32 | line.
    private var seen: SeenLogins
    /// Logins named by invalid records: never deleted as absent from a full roster.
    private var protectedKeys: Set<String> = []
    /// (organisation, environment) pairs the files cover, for `--full-roster`.
    private var covered: Set<Coverage> = []

    struct Coverage: Hashable {
        var organisationID: Int64
        var organisation: String
        var environment: Environment

        // The code follows from the id: a record costs no string hashing here.
        static func == (lhs: Coverage, rhs: Coverage) -> Bool {
            lhs.organisationID == rhs.organisationID && lhs.environment == rhs.environment
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(organisationID)
            hasher.combine(environment)
        }
    }

    /// Every login of the store by key, and the logins this run adds.
    private var keys: LoginKeyTable
    /// The statements run once per record, prepared once per run.
    private let verify: Statement
    private let details: Statement
    /// New logins wait in `pendingAdds` to be inserted `addsPerInsert` at a time: SQLite
    /// takes much less per row for one INSERT of many rows than for as many single-row
    /// ones, each of which sets up its statement and cursors anew. Each new login gets
    /// its id when it is queued (the next after the largest: logins are never removed),
    /// so the key table and the duplicate check know it at once; the INSERT names the
    /// ids, so SQLite checks them like any other value.
    private let insertLogins: Statement
    private let insertLogin: Statement
    private var pendingAdds: [(record: LoginRecord, organisationID: Int64, id: Int64)] = []
    /// The texts of one INSERT, their storage kept from one to the next.
    private var addTexts = TextParameters()
    private var nextID: Int64
    static let addsPerInsert = 16
    private var lastCoverage: Coverage?

    init(store: Store, options: ImportOptions, now: Int64) throws {
        self.store = store
        self.options = options
        self.now = now
        // For a candidate from the key table whose fingerprint differs (a changed login,
        // or another sharing its tag): is it the record's login, and what changed? In
        // SQL, so that costs no strings on this side either.
        verify = try store.database.prepare(
            """
            SELECT status, organisation_id = ?1 AND environment = ?2 AND username = ?3,
                   email IS ?4 AND display_name = ?5 AND roles = ?6 AND user_type = ?7
            FROM logins WHERE id = ?8
            """)
        details = try store.database.prepare("SELECT email, display_name, roles, user_type FROM logins WHERE id = ?")
        insertLogins = try store.database.prepare(Self.insertSQL(rows: Self.addsPerInsert))
        insertLogin = try store.database.prepare(Self.insertSQL(rows: 1))
        let lastID = try store.database.integer("SELECT max(id) FROM logins") ?? 0
        guard lastID <= LoginKeyTable.maxID else { throw ImportError.loginIDsExhausted(maxID: LoginKeyTable.maxID) }
        nextID = lastID + 1
        let logins = Int(try store.database.integer("SELECT count(*) FROM logins") ?? 0)
        keys = LoginKeyTable(capacity: logins)
        seen = SeenLogins(logins: logins)
        // The logins are hashed in two halves by id, one on each core: the upper half
        // through a read-only connection of its own, which sees what this transaction
        // sees, since the run holds the write lock and has written no login yet.
        let middle = lastID / 2
        let path = store.path
        let upperHalf = BackgroundWork { () throws -> [LoginKeyTable.Entry] in
            try Self.hashLogins(in: try Store.readOnlyConnection(to: path), ids: (middle + 1)..<(lastID + 1))
        }
        keys.insert(contentsOf: try Self.hashLogins(in: store.database, ids: 1..<(middle + 1)))
        keys.insert(contentsOf: try upperHalf.wait())
    }

    /// The hashes and id of every login whose id is in `ids`.
    private static func hashLogins(in database: Database, ids: Range<Int64>) throws -> [LoginKeyTable.Entry] {
        // Each organisation's code is hashed once, and its hasher copied for each login.
        let organisations = Dictionary(
            uniqueKeysWithValues: try database.rows("SELECT id, code FROM organisations") { ($0.int64(0), LoginHasher(organisation: $0.text(1))) })
        let logins = try database.prepare(
            "SELECT id, organisation_id, \(LoginKeyTable.Hashes.columns) FROM logins WHERE id >= ? AND id < ?")
        try logins.bind(ids.lowerBound, at: 1)
        try logins.bind(ids.upperBound, at: 2)
        var entries: [LoginKeyTable.Entry] = []
        while try logins.step() {
            // The foreign key keeps every login's organisation.
            guard let organisation = organisations[logins.int64(1)] else { continue }
            entries.append((LoginKeyTable.Hashes(row: logins, from: 2, organisation: organisation), logins.int64(0)))
        }
        return entries
    }

    // MARK: Applying records

    /// Brings into cache the key table's slots for a batch of records about to be
    /// applied.
    mutating func warmKeys(forTags tags: [UInt32]) {
        keys.warm(tags)
    }

    /// Inserts, updates or leaves one login, whose `hashes` the validating thread has
    /// taken. Returns a failure for a login already named earlier in this run.
    mutating func apply(
        _ record: LoginRecord, hashes: LoginKeyTable.Hashes, fileIndex: Int, counts: inout ImportCounts
    ) throws -> ValidationFailure? {
        let organisationID = try organisationID(record.organisation)
        if lastCoverage?.organisationID != organisationID || lastCoverage?.environment != record.environment {
            let coverage = Coverage(organisationID: organisationID, organisation: record.organisation, environment: record.environment)
            covered.insert(coverage)
            lastCoverage = coverage
        }
        let namedAt = UInt64(fileIndex) << 32 | UInt64(record.location.line)

        // A login exactly as the record has it (the nightly case) needs no SQL; others
        // filed under the same tag are asked about in SQL.
        var others: [Int64] = []
        var found = keys.first(tag: hashes.tag) { id, fingerprint in
            if fingerprint == hashes.fingerprint { return true }
            others.append(id)
            return false
        }
        var stored = found.map { _ in (status: record.status.rawValue, detailsUnchanged: true) }
        if found == nil, !others.isEmpty {
            try insertPendingAdds()
            for id in others {
                if let login = try compare(record, organisationID: organisationID, withLogin: id) {
                    (found, stored) = (id, login)
                    break
                }
            }
        }
        guard let id = found, let stored else {
            try add(record, organisationID: organisationID, hashes: hashes, namedAt: namedAt, counts: &counts)
            return nil
        }
        let statusChanges = stored.status != record.status.rawValue
        let detailsUnchanged = stored.detailsUnchanged

        if let earlier = seen.location(of: id) {
            let first = SourceLocation(file: options.files[Int(earlier >> 32)], line: Int(earlier & 0xFFFF_FFFF))
            return ValidationFailure(
                record: RawUserRecord(record),
                problems: [Problem(record.location, field: UserField.username.name, "duplicate: \(record.organisation) \(record.environment.displayName) \(record.username) is already at \(first)")])
        }
        seen.mark(id, at: namedAt)
        guard statusChanges || !detailsUnchanged else {
            counts.unchanged += 1
            return nil
        }
        try insertPendingAdds()

        let changed = detailsUnchanged ? [] : try changedFields(id: id, record)

        if !changed.isEmpty {
            try database.run(
                "UPDATE logins SET email = ?, display_name = ?, roles = ?, user_type = ?, updated_at = ? WHERE id = ?",
                [record.email, record.displayName, record.rolesText, record.userType.rawValue, now, id])
        }
        if statusChanges {
            if record.status == .deleted {
                try markDeleted(id: id, record.organisation, record.environment, record.username, reason: "deleted in the user list", at: record.location)
                counts.deleted += 1
            } else {
                try restore(id: id, record)
                counts.updated += 1
            }
        } else if !changed.isEmpty {
            counts.updated += 1
            change(.update, record, fields: changed)
        } else {
            counts.unchanged += 1
        }
        return nil
    }

    /// Login `id`'s status and whether `record` leaves its details as they are; nil when
    /// `id` is another login (its key only shares a tag with the record's).
    private func compare(_ record: LoginRecord, organisationID: Int64, withLogin id: Int64) throws -> (status: String, detailsUnchanged: Bool)? {
        var texts = TextParameters()
        try bindLogin(record, organisationID: organisationID, to: verify, texts: &texts)
        try verify.bind(id, at: 8)
        defer { verify.reset() }
        return try verify.withBound(texts) { () throws(DatabaseError) in
            guard try verify.step(), verify.int64(1) == 1 else { return nil }
            return (verify.text(0), verify.int64(2) == 1)
        }
    }

    /// The names of the fields `record` would change in login `id`.
    private func changedFields(id: Int64, _ record: LoginRecord) throws -> [String] {
        try details.bind(id, at: 1)
        defer { details.reset() }
        guard try details.step() else { return [] }
        var changed: [String] = []
        if details.optionalText(0) != record.email { changed.append(UserField.email.name) }
        if details.text(1) != record.displayName { changed.append(UserField.displayName.name) }
        if details.text(2) != record.rolesText { changed.append(UserField.roles.name) }
        if details.text(3) != record.userType.rawValue { changed.append(UserField.userType.name) }
        return changed
    }

    /// A login the store does not have yet. A user deleted before the store ever knew
    /// them has nothing to end, and is not added.
    private mutating func add(
        _ record: LoginRecord, organisationID: Int64, hashes: LoginKeyTable.Hashes, namedAt: UInt64, counts: inout ImportCounts
    ) throws {
        guard record.status == .active else {
            counts.unchanged += 1
            return
        }
        let id = nextID
        guard id <= LoginKeyTable.maxID else { throw ImportError.loginIDsExhausted(maxID: LoginKeyTable.maxID) }
        nextID += 1
        pendingAdds.append((record, organisationID, id))
        if pendingAdds.count == Self.addsPerInsert { try insertPendingAdds() }
        keys.insert(hashes, id: id)
        seen.mark(id, at: namedAt)
        counts.added += 1
        change(.add, record)
    }

    private mutating func organisationID(_ code: String) throws -> Int64 {
        if let id = organisationIDs[code] { return id }
        let id: Int64
        if let existing = try database.integer("SELECT id FROM organisations WHERE code = ?", [code]) {
            id = existing
        } else {
            try database.run("INSERT INTO organisations (code, created_at) VALUES (?, ?)", [code, now])
            id = database.lastInsertedRowID
        }
        organisationIDs[code] = id
        return id
    }

    /// The comparison and the insert take a login's fields as seven parameters in this
    /// order, from `first`.
    /// Binds the login's number and adds its texts to `texts`, for `Statement.withBound`.
    private func bindLogin(
        _ record: LoginRecord, organisationID: Int64, to statement: Statement, texts: inout TextParameters, from first: Int32 = 1
    ) throws {
        try statement.bind(organisationID, at: first)
        texts.append(record.environment.rawValue, at: first + 1)
        texts.append(record.username, at: first + 2)
        if let email = record.email { texts.append(email, at: first + 3) } else { try statement.bindNull(at: first + 3) }
        texts.append(record.displayName, at: first + 4)
        texts.append(record.rolesText, at: first + 5)
        texts.append(record.userType.rawValue, at: first + 6)
    }

    /// An INSERT of `rows` new logins: the time in ?1, then per login its id and the
    /// seven parameters of `bindLogin`.
    private static func insertSQL(rows: Int) -> String {
        let values = (0..<rows).map { row in
            let first = 2 + row * 8
            return "(" + (first..<(first + 8)).map { "?\($0)" }.joined(separator: ", ") + ", 'active', ?1, ?1)"
        }
        return """
            INSERT INTO logins (id, organisation_id, environment, username, email, display_name, roles, user_type, status,
                                created_at, updated_at)
            VALUES \(values.joined(separator: ", "))
            """
    }

    /// Writes the queued new logins: to be called before any other statement reads or
    /// changes logins, and at the end of each file.
    mutating func insertPendingAdds() throws {
        guard !pendingAdds.isEmpty else { return }
        defer { pendingAdds.removeAll(keepingCapacity: true) }
        // A full queue in one statement; what is left before another statement, or at a
        // file's end, one by one.
        let (statement, rowsPerStatement) =
            pendingAdds.count == Self.addsPerInsert ? (insertLogins, Self.addsPerInsert) : (insertLogin, 1)
        for start in stride(from: 0, to: pendingAdds.count, by: rowsPerStatement) {
            addTexts.removeAll()
            try statement.bind(now, at: 1)
            for row in 0..<rowsPerStatement {
                let first = Int32(2 + row * 8)
                try statement.bind(pendingAdds[start + row].id, at: first)
                try bindLogin(
                    pendingAdds[start + row].record, organisationID: pendingAdds[start + row].organisationID, to: statement,
                    texts: &addTexts, from: first + 1)
            }
            try statement.withBound(addTexts) { () throws(DatabaseError) in try statement.run() }
        }
    }

    private func markDeleted(
        id: Int64, _ organisation: String, _ environment: Environment, _ username: String, reason: String, at location: SourceLocation?
    ) throws {
        try database.run("UPDATE logins SET status = 'deleted', deleted_at = ?, updated_at = ? WHERE id = ?", [now, now, id])
        try store.record(
            Event(
                kind: "login.deleted", actor: "mfa-import", organisation: organisation, environment: environment,
                username: username, loginID: id, detail: ["reason": .text(reason)]),
            at: now)
        onChange?(LoginChange(action: .delete, organisation: organisation, environment: environment, username: username, fields: [], reason: reason, location: location?.description))
    }

    /// A deleted login back on the list is a new start: whatever enrolment it had is
    /// ended, so the next `mfa-enrol` run enrols it afresh.
    private func restore(id: Int64, _ record: LoginRecord) throws {
        try database.run(
            """
            UPDATE logins SET status = 'active', deleted_at = NULL, email = ?, display_name = ?, roles = ?, user_type = ?,
                              updated_at = ?
            WHERE id = ?
            """,
            [record.email, record.displayName, record.rolesText, record.userType.rawValue, now, id])
        let ended = try store.endCurrentEnrolment(loginID: id, state: .expired, reason: .userDeleted, at: now)
        var detail: EventDetail = [:]
        if let ended { detail["expired_enrolment"] = .integer(ended) }
        try store.record(
            Event(
                kind: "login.restored", actor: "mfa-import", organisation: record.organisation, environment: record.environment,
                username: record.username, loginID: id, detail: detail),
            at: now)
        change(.restore, record)
    }

    private func change(_ action: LoginChange.Action, _ record: LoginRecord, fields: [String] = []) {
        onChange?(
            LoginChange(
                action: action, organisation: record.organisation, environment: record.environment, username: record.username,
                fields: fields, reason: nil, location: record.location.description))
    }

    /// Remembers an invalid record's login, so a full roster does not delete it.
    mutating func protect(_ raw: RawUserRecord) {
        guard let username = raw.username?.lowercased(), let organisation = (raw.organisation ?? options.organisation)?.uppercased(),
            let environment = raw.environment.flatMap(Environment.init(parsing:)) ?? options.environment
        else { return }
        protectedKeys.insert(Self.key(organisation, environment, username))
    }

    private static func key(_ organisation: String, _ environment: Environment, _ username: String) -> String {
        "\(organisation)\u{1F}\(environment.rawValue)\u{1F}\(username)"
    }

    // MARK: Full roster

    /// Marks deleted the active logins of every covered organisation and environment that
    /// the files left out, unless that would delete more than the allowed share.
    mutating func deleteAbsentLogins() throws -> Int {
        try insertPendingAdds()
        if let organisation = options.organisation, let environment = options.environment {
            let id = try organisationID(organisation.uppercased())
            covered.insert(Coverage(organisationID: id, organisation: organisation.uppercased(), environment: environment))
        }
        var plans: [(Coverage, [(id: Int64, username: String)])] = []
        var refused: [ImportError.MassDeletion] = []
        for coverage in covered.sorted(by: { ($0.organisation, $0.environment) < ($1.organisation, $1.environment) }) {
            let active = try database.rows(
                "SELECT id, username FROM logins WHERE organisation_id = ? AND environment = ? AND status = 'active'",
                [coverage.organisationID, coverage.environment.rawValue]
            ) { (id: $0.int64(0), username: $0.text(1)) }
            let absent = active.filter {
                seen.location(of: $0.id) == nil && !protectedKeys.contains(Self.key(coverage.organisation, coverage.environment, $0.username))
            }
            guard !absent.isEmpty else { continue }
            let allowed = Double(active.count) * options.maxDeleteFraction
            if Double(absent.count) > allowed && !options.allowMassDelete {
                refused.append(
                    ImportError.MassDeletion(
                        organisation: coverage.organisation, environment: coverage.environment.displayName,
                        wouldDelete: absent.count, active: active.count))
            }
            plans.append((coverage, absent))
        }
        guard refused.isEmpty else { throw ImportError.massDeletion(refused) }
        var deleted = 0
        for (coverage, absent) in plans {
            for login in absent {
                try markDeleted(
                    id: login.id, coverage.organisation, coverage.environment, login.username,
                    reason: "absent from a full roster", at: nil)
                deleted += 1
            }
        }
        return deleted
    }
}

extension RawUserRecord {
    /// A valid record turned back into its raw form, for the reject file.
    init(_ record: LoginRecord) {
        self.init(location: record.location)
        organisation = record.organisation
        environment = record.environment.displayName
        username = record.username
        email = record.email
        displayName = record.displayName
        roles = record.roles.map(\.name)
        userType = record.userType.rawValue
        status = record.status.rawValue
    }
}

/// Login ids named in a run and where: a flat array indexed by id, since ids run from 1
/// with no gaps (logins are never removed) and new logins take the next ones, and a
/// dictionary for an id far beyond them, so that a store with a gap in its ids costs no
/// more memory than its logins.
struct SeenLogins {
    private var locations: [UInt64] = []
    private var beyond: [Int64: UInt64] = [:]
    private let storeLogins: Int

    init(logins: Int) { storeLogins = logins }

    mutating func mark(_ id: Int64, at location: UInt64) {
        let index = Int(id)
        guard index < Swift.max(2 * storeLogins, 2 * locations.count, 1024) else { return beyond[id] = location }
        if index >= locations.count {
            locations.append(contentsOf: repeatElement(0, count: Swift.max(index + 1 - locations.count, locations.count)))
        }
        locations[index] = location
    }

    func location(of id: Int64) -> UInt64? {
        let index = Int(id)
        if index < locations.count, locations[index] != 0 { return locations[index] }
        return beyond[id]
    }
}
