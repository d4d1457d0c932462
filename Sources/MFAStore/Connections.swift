import SQLiteDB

// How the tools use the store's SQLite connections: page cache for bulk runs, erasing
// freed content from the files, and readers that share one snapshot.

extension Store {
    /// Makes erased secrets unrecoverable from the files: with `secure_delete` on, freed
    /// space in the database is zeroed; this folds the write-ahead log into it and
    /// truncates the log, whose old frames could still hold the erased bytes.
    public func eraseFreedContent() throws {
        let busy = try database.row("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) } ?? 0
        if busy != 0 {
            logger.notice("another process was reading the store; its write-ahead log is emptied at its next checkpoint")
        }
    }
}

extension Store {
    /// Page cache for a bulk run, in KiB: enough to keep the indexes a million-login run
    /// touches in memory (the login key index alone is about 48 MiB per million), where
    /// SQLite's default of 2 MiB sends every lookup back to the file.
    public static let bulkCacheKiB = 64 * 1024

    public func useBulkCache() throws {
        try database.execute("PRAGMA cache_size = -\(Self.bulkCacheKiB)")
    }
}

extension Store {
    /// A connection that can only read the store at `path`: static, so that another
    /// thread can open one without sharing this store.
    public static func readOnlyConnection(to path: String) throws -> Database {
        var readOnly = Database.Configuration()
        readOnly.readOnly = true
        return try Database(path: path, configuration: readOnly)
    }

    /// Read-only connections, each inside a read transaction, all seeing the same
    /// committed state: the write lock is held (for a moment) while they start reading,
    /// so no writer can commit in between. When a writer holds the lock (a long import),
    /// waiting for it could take minutes, so there is then one connection only. The
    /// transactions end when the connections are released.
    public func snapshotReaders(_ count: Int) throws -> [Database] {
        func reader(cacheKiB: Int) throws -> Database {
            let reader = try Self.readOnlyConnection(to: path)
            try reader.execute("PRAGMA cache_size = -\(cacheKiB); BEGIN")
            _ = try reader.integer("SELECT count(*) FROM sqlite_schema")
            return reader
        }
        var noWaiting = Database.Configuration()
        noWaiting.busyTimeoutMilliseconds = 0
        let lock = try Database(path: path, configuration: noWaiting)
        let locked = Result { () throws(DatabaseError) in try lock.execute("BEGIN IMMEDIATE") }
        if case .failure(let error) = locked {
            guard error.isBusy else { throw error }
            logger.info("another process is writing to the store: reading it on one connection")
            return [try reader(cacheKiB: Self.bulkCacheKiB)]
        }
        defer { try? lock.execute("ROLLBACK") }
        // Readers mostly scan, so a quarter of the bulk cache each is enough; a report
        // holds its feeds in memory besides.
        return try (0..<count).map { _ in try reader(cacheKiB: Self.bulkCacheKiB / 4) }
    }
}
