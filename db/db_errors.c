/*
 * db_errors.c: SQLite conditions an operator can act on, as errnos.
 *
 * A full disk (SQLITE_FULL), a database locked by another process past the
 * busy timeout (SQLITE_BUSY) and a read-only file (SQLITE_READONLY) are
 * not failures of roadshowd: the service answers them with 507 or 503 and
 * Retry-After. SQLite reports them through its error log (SQLITE_CONFIG_LOG)
 * in the thread that ran the statement; the last one is kept per thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

static _Thread_local int last_condition;	/* 0 or a negative errno */
static atomic_int storage_full;			/* 1 after SQLITE_FULL until
						 * a write commits */
static pthread_once_t once = PTHREAD_ONCE_INIT;

int
db_errno_of(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CONSTRAINT:
		return -EINVAL;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	default:
		return -EIO;
	}
}

void
db_condition_note(int sqlite_rc)
{
	int e = db_errno_of(sqlite_rc);

	if (e == -ENOSPC || e == -EBUSY || e == -EROFS)
		last_condition = e;
	/* Say it once when writes start failing for lack of room. */
	if (e == -ENOSPC && !atomic_exchange(&storage_full, 1))
		fprintf(stderr, "roadshowd: the disk holding the database is"
			" full (sqlite error %d): writes answer 507 until room"
			" is made; reads go on\n", sqlite_rc);
}

int
db_condition_peek(int fallback)
{
	return fallback == -EIO && last_condition ? last_condition
						  : fallback;
}

int
db_condition_take(int fallback)
{
	int e = last_condition;

	last_condition = 0;
	if (fallback != -EIO)
		return fallback;
	return e ? e : fallback;
}

void
db_condition_committed(void)
{
	if (atomic_exchange(&storage_full, 0))
		fprintf(stderr, "roadshowd: writes succeed again\n");
}

static void
on_sqlite_log(void *arg, int code, const char *msg)
{
	int primary = code & 0xff;

	(void)arg;
	db_condition_note(code);
	/* The conditions an operator must see (a full disk was silent). */
	if (primary == SQLITE_FULL || primary == SQLITE_IOERR ||
	    primary == SQLITE_CORRUPT || primary == SQLITE_READONLY ||
	    primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB)
		fprintf(stderr, "roadshowd: sqlite error %d: %s\n", code,
			msg ? msg : "");
}

static void
install(void)
{
	/* Fails (harmlessly) when SQLite was already initialised. */
	sqlite3_config(SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
}

void
db_conditions_install(void)
{
	pthread_once(&once, install);
}

int
db_storage_condition(void)
{
	int e = last_condition;

	last_condition = 0;
	return e;
}

int
db_writable(struct db *db)
{
	const char *path = sqlite3_db_filename(db->conn, "main");
	struct statvfs vfs;
	unsigned long long avail;

	if (sqlite3_db_readonly(db->conn, "main") == 1)
		return 0;
	if (!path || !*path)
		return 1;			/* :memory: */
	if (access(path, W_OK) != 0)
		return 0;
	if (statvfs(path, &vfs) != 0)
		return 1;
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	/* After a write hit a full disk, wait for real room (1 MiB) before
	 * saying so; otherwise a little room is enough to try. */
	if (atomic_load(&storage_full))
		return avail >= 1024 * 1024;
	return avail >= 64 * 1024;
}
