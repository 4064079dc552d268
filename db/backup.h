/*
 * backup: an online, consistent copy of a roadshowd database.
 */
#ifndef ROADSHOWD_BACKUP_H
#define ROADSHOWD_BACKUP_H

#include <stddef.h>

/*
 * Copy the database at src_path into a new file out_path with SQLite's
 * online backup API (https://sqlite.org/backup.html), in one read
 * transaction: the copy is one committed state, taken while a server keeps
 * writing (WAL readers do not block the writer). The copy is written to
 * "out_path.tmp" (mode 0600), checked with PRAGMA integrity_check, synced
 * and renamed to out_path. Both paths are borrowed.
 * Returns 0; -EEXIST when out_path exists; -ENOENT when src_path does not;
 * -EIO (copy or check failed; nothing is left at out_path), -ENOMEM.
 * A one-line reason goes into why (size octets).
 */
int db_backup(const char *src_path, const char *out_path, char *why,
	      size_t size);

#endif
