import MFAStore

/// Every login of the store by its key (organisation, environment, username), in memory:
/// a hash of the key to the login's id. Finding a login among a million this way costs
/// a probe of this table and a look-up by id, where SQLite's key index costs a search
/// of twenty string comparisons; a nightly roster looks up every login it names.
///
/// The table keeps 32 bits of each key's hash (which also choose its slot), so a probe
/// can name a login whose key differs: callers confirm each candidate against the store.
struct LoginKeyTable {
    /// Per slot: the key's 32-bit tag, and the login id (0 for an empty slot: ids start at 1).
    private var tags: [UInt32]
    private var ids: [Int64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 0) {
        var slots = 1024
        while slots * 3 < capacity * 4 { slots *= 2 }
        tags = Array(repeating: 0, count: slots)
        ids = Array(repeating: 0, count: slots)
        mask = slots - 1
    }

    /// A login key's tag (the process's random hash seed makes tags unpredictable).
    /// The environment and the username are bytes as the store keeps them.
    static func tag(organisationID: Int64, environment: UnsafeRawBufferPointer, username: UnsafeRawBufferPointer) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(organisationID)
        hasher.combine(environment.count)
        hasher.combine(bytes: environment)
        hasher.combine(bytes: username)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    static func tag(organisationID: Int64, environment: Environment, username: String) -> UInt32 {
        var environmentText = environment.rawValue
        var username = username
        return environmentText.withUTF8 { environment in
            username.withUTF8 { username in
                tag(organisationID: organisationID, environment: UnsafeRawBufferPointer(environment), username: UnsafeRawBufferPointer(username))
            }
        }
    }

    mutating func insert(tag: UInt32, id: Int64) {
        if (count + 1) * 4 > tags.count * 3 { grow() }
        place(tag: tag, id: id)
        count += 1
    }

    /// The first login id filed under `tag` for which `matches` is true.
    func first(tag: UInt32, where matches: (Int64) throws -> Bool) rethrows -> Int64? {
        var slot = Int(tag) & mask
        while ids[slot] != 0 {
            if tags[slot] == tag, try matches(ids[slot]) { return ids[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func place(tag: UInt32, id: Int64) {
        var slot = Int(tag) & mask
        while ids[slot] != 0 { slot = (slot + 1) & mask }
        tags[slot] = tag
        ids[slot] = id
    }

    private mutating func grow() {
        let old = zip(tags, ids)
        tags = Array(repeating: 0, count: tags.count * 2)
        ids = Array(repeating: 0, count: ids.count * 2)
        mask = tags.count - 1
        for (tag, id) in old where id != 0 { place(tag: tag, id: id) }
    }
}
