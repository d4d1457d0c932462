import MFAStore
import SQLiteDB

/// Every login of the store in memory, by its key (organisation, environment,
/// username): a 32-bit tag of the key's hash to the login's id and a 64-bit fingerprint
/// of everything an import compares (key, e-mail, name, roles, user type, status).
///
/// A nightly roster names every login again and changes few: a record whose fingerprint
/// equals its login's is unchanged without asking SQLite anything, where a look-up
/// through the key index costs twenty string comparisons and a row read. The tag also
/// chooses the slot, so a probe can offer a login whose key differs: a candidate that
/// does not match by fingerprint is confirmed against the store. Hashes use the
/// process's random seed, so nobody can make two logins collide on purpose; by chance,
/// two different logins share a fingerprint once in 2^64.
struct LoginKeyTable {
    /// Per slot: the login id (0 for an empty slot: ids start at 1), its key's tag and
    /// its fingerprint.
    private var ids: [Int64]
    private var tags: [UInt32]
    private var fingerprints: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 0) {
        var slots = 1024
        while slots * 3 < capacity * 4 { slots *= 2 }
        ids = Array(repeating: 0, count: slots)
        tags = Array(repeating: 0, count: slots)
        fingerprints = Array(repeating: 0, count: slots)
        mask = slots - 1
    }

    /// A login's tag (of its key) and fingerprint (of everything compared).
    struct Hashes: Equatable {
        var tag: UInt32
        var fingerprint: UInt64

        init(_ record: LoginRecord, organisationID: Int64) {
            var hasher = LoginHasher(organisationID: organisationID)
            hasher.combine(record.environment.rawValue)
            hasher.combine(record.username)
            tag = hasher.tag
            hasher.combine(record.email)
            hasher.combine(record.displayName)
            hasher.combine(record.rolesText)
            hasher.combine(record.userType.rawValue)
            hasher.combine(record.status.rawValue)
            fingerprint = hasher.fingerprint
        }

        /// The store's columns for a login's hashes, in the order the record's are taken.
        static let columns = "organisation_id, environment, username, email, display_name, roles, user_type, status"

        /// From a row of `columns`, starting at column `first`.
        init(row: Statement, from first: Int32) {
            var hasher = LoginHasher(organisationID: row.int64(first))
            for column in (first + 1)...(first + 2) { row.withTextBytes(column) { hasher.combine($0) } }
            tag = hasher.tag
            for column in (first + 3)...(first + 7) { row.withTextBytes(column) { hasher.combine($0) } }
            fingerprint = hasher.fingerprint
        }

        init(tag: UInt32, fingerprint: UInt64) {
            self.tag = tag
            self.fingerprint = fingerprint
        }
    }

    mutating func insert(_ hashes: Hashes, id: Int64) {
        if (count + 1) * 4 > ids.count * 3 { grow() }
        place(id: id, tag: hashes.tag, fingerprint: hashes.fingerprint)
        count += 1
    }

    /// The first login id filed under `tag` for which `matches` (given the id and its
    /// fingerprint) is true.
    func first(tag: UInt32, where matches: (_ id: Int64, _ fingerprint: UInt64) throws -> Bool) rethrows -> Int64? {
        var slot = Int(tag) & mask
        while ids[slot] != 0 {
            if tags[slot] == tag, try matches(ids[slot], fingerprints[slot]) { return ids[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func place(id: Int64, tag: UInt32, fingerprint: UInt64) {
        var slot = Int(tag) & mask
        while ids[slot] != 0 { slot = (slot + 1) & mask }
        ids[slot] = id
        tags[slot] = tag
        fingerprints[slot] = fingerprint
    }

    private mutating func grow() {
        let old = (ids: ids, tags: tags, fingerprints: fingerprints)
        ids = Array(repeating: 0, count: old.ids.count * 2)
        tags = Array(repeating: 0, count: ids.count)
        fingerprints = Array(repeating: 0, count: ids.count)
        mask = ids.count - 1
        for slot in old.ids.indices where old.ids[slot] != 0 {
            place(id: old.ids[slot], tag: old.tags[slot], fingerprint: old.fingerprints[slot])
        }
    }
}

/// Hashes a login's fields in the order `Hashes` takes them: organisation id, then
/// environment and username (the key: `tag`), then e-mail, display name, roles, user
/// type and status (`fingerprint`), each field as UTF-8 bytes as the store keeps them.
struct LoginHasher {
    private var hasher = Hasher()

    init(organisationID: Int64) { hasher.combine(organisationID) }

    /// A field's bytes, or nil for NULL; with their length, so that no two lists of
    /// fields hash alike by moving bytes from one field to the next.
    mutating func combine(_ field: UnsafeRawBufferPointer?) {
        hasher.combine(field != nil)
        guard let field else { return }
        hasher.combine(field.count)
        hasher.combine(bytes: field)
    }

    mutating func combine(_ text: String?) {
        guard let text else { return combine(nil as UnsafeRawBufferPointer?) }
        if text.utf8.withContiguousStorageIfAvailable({ combine(UnsafeRawBufferPointer($0)) }) == nil {
            Array(text.utf8).withUnsafeBytes { combine($0) }
        }
    }

    /// Of the fields so far: call after the username.
    var tag: UInt32 { UInt32(truncatingIfNeeded: hasher.finalize()) }

    var fingerprint: UInt64 { UInt64(bitPattern: Int64(hasher.finalize())) }
}
