#ifndef CSQLITE_SUPPORT_H
#define CSQLITE_SUPPORT_H

/// Turns off SQLite's memory statistics, which take a global mutex on every
/// allocation. Must run before the first connection opens; later calls do nothing.
/// (sqlite3_config is variadic, which Swift cannot call, hence this file.)
void mfa_sqlite_disable_memory_statistics(void);

#endif
