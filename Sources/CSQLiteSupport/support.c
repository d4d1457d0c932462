#include "CSQLiteSupport.h"

#include <sqlite3.h>

void mfa_sqlite_disable_memory_statistics(void) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
