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
    /// Per slot, in one 16-byte entry so that a probe touches one cache line: the
    /// login's id (0 for an empty slot: ids start at 1), its key's tag and its fingerprint.
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    /// What `warm` read, kept only so that its reads happen.
    private var warmth: UInt64 = 0

    private struct Slot {
        var fingerprint: UInt64 = 0
        var tag: UInt32 = 0
        var id: UInt32 = 0
    }

    /// The largest login id the table holds: ids are 32-bit to keep a slot in 16 bytes.
    static let maxID = Int64(UInt32.max)

    init(capacity: Int = 0) {
        var count = 1024
        while count * 3 < capacity * 4 { count *= 2 }
        slots = Array(repeating: Slot(), count: count)
        mask = count - 1
    }

    /// A login's tag (of its key) and fingerprint (of everything compared).
    struct Hashes: Equatable {
        var tag: UInt32
        var fingerprint: UInt64

        /// Borrowing: an initialiser otherwise takes its argument, and the caller would
        /// copy a record it keeps.
        init(_ record: borrowing LoginRecord) {
            var hasher = LoginHasher(organisation: record.organisation)
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

        /// The store's columns for a login's hashes after its organisation, in the order
        /// the record's are taken.
        static let columns = "environment, username, email, display_name, roles, user_type, status"

        /// From a row of `columns`, starting at column `first`, for a login of the
        /// organisation `organisation` has hashed.
        init(row: Statement, from first: Int32, organisation: LoginHasher) {
            var hasher = organisation
            for column in first...(first + 1) { row.withTextBytes(column) { hasher.combine($0) } }
            tag = hasher.tag
            for column in (first + 2)...(first + 6) { row.withTextBytes(column) { hasher.combine($0) } }
            fingerprint = hasher.fingerprint
        }

        init(tag: UInt32, fingerprint: UInt64) {
            self.tag = tag
            self.fingerprint = fingerprint
        }
    }

    /// A login's hashes and id.
    typealias Entry = (hashes: Hashes, id: Int64)

    /// Files many logins, a few hundred at a time with their slots warmed first.
    mutating func insert(contentsOf entries: [Entry]) {
        for start in stride(from: 0, to: entries.count, by: 256) {
            let block = entries[start..<min(start + 256, entries.count)]
            warm(block.lazy.map(\.hashes.tag))
            for entry in block { insert(entry.hashes, id: entry.id) }
        }
    }

    /// Files login `id`, which is at most `maxID`.
    mutating func insert(_ hashes: Hashes, id: Int64) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        place(Slot(fingerprint: hashes.fingerprint, tag: hashes.tag, id: UInt32(id)))
        count += 1
    }

    /// The first login id filed under `tag` for which `matches` (given the id and its
    /// fingerprint) is true.
    func first(tag: UInt32, where matches: (_ id: Int64, _ fingerprint: UInt64) throws -> Bool) rethrows -> Int64? {
        try slots.withUnsafeBufferPointer { slots in
            var index = Int(tag) & mask
            while slots[index].id != 0 {
                let slot = slots[index]
                if slot.tag == tag, try matches(Int64(slot.id), slot.fingerprint) { return Int64(slot.id) }
                index = (index + 1) & mask
            }
            return nil
        }
    }

    /// Reads the first slot each tag would probe: a batch's reads, being independent,
    /// wait for memory together, where each probe on its own waits alone.
    mutating func warm(_ tags: some Sequence<UInt32>) {
        warmth = slots.withUnsafeBufferPointer { slots in
            tags.reduce(warmth) { $0 &+ UInt64(slots[Int($1) & mask].id) }
        }
    }

    private mutating func place(_ slot: Slot) {
        var index = Int(slot.tag) & mask
        while slots[index].id != 0 { index = (index + 1) & mask }
        slots[index] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.id != 0 { place(slot) }
    }
}

/// Hashes a login's fields in the order `Hashes` takes them: organisation code, then
/// environment and username (the key: `tag`), then e-mail, display name, roles, user
/// type and status (`fingerprint`), each field as UTF-8 bytes as the store keeps them.
/// The code rather than the organisation's id, so that records are hashed on the
/// validating thread, which has no store to ask for ids.
struct LoginHasher {
    private var hasher = Hasher()

    /// Ready for the rest of a login of `organisation`; a copy starts each of its logins.
    init(organisation: String) { combine(organisation) }

    /// A field's bytes, or nil for NULL; after their length (-1 for NULL), so that no two
    /// lists of fields hash alike by moving bytes from one field to the next.
    mutating func combine(_ field: UnsafeRawBufferPointer?) {
        hasher.combine(field?.count ?? -1)
        guard let field else { return }
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
