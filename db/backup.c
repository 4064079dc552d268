/*
 * backup.c: online backup with sqlite3_backup_*(), checked before it is
 * handed over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backup.h"

static int
integrity_ok(sqlite3 *conn)
{
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (sqlite3_prepare_v2(conn, "PRAGMA integrity_check", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0 &&
	    sqlite3_step(st) == SQLITE_DONE)
		ok = 1;
	sqlite3_finalize(st);
	return ok;
}

static int
fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -EIO;
	rc = fsync(fd) == 0 ? 0 : -EIO;
	close(fd);
	return rc;
}

int
db_backup(const char *src_path, const char *out_path, char *why,
	  size_t size)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *bk;
	char *tmp = NULL, *dir = NULL, *slash;
	int rc = -EIO, fd, s;

	if (access(src_path, F_OK) != 0) {
		snprintf(why, size, "%s does not exist", src_path);
		return -ENOENT;
	}
	if (access(out_path, F_OK) == 0) {
		snprintf(why, size, "%s exists; a backup never overwrites",
			 out_path);
		return -EEXIST;
	}
	tmp = malloc(strlen(out_path) + 5);
	dir = strdup(out_path);
	if (!tmp || !dir) {
		free(tmp);
		free(dir);
		snprintf(why, size, "out of memory");
		return -ENOMEM;
	}
	sprintf(tmp, "%s.tmp", out_path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	/* Created here with 0600 so no other user can read it, whatever the
	 * umask; SQLite then opens the existing empty file. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, size, "cannot create %s: %s", tmp,
			 strerror(errno));
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE,
					 NULL) != SQLITE_OK) {
		snprintf(why, size, "cannot open: %s",
			 sqlite3_errmsg(src ? (dst ? dst : src) : src));
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	sqlite3_busy_timeout(dst, 5000);
	bk = sqlite3_backup_init(dst, "main", src, "main");
	if (!bk) {
		snprintf(why, size, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* All pages in one step: one read transaction, one state. */
	while ((s = sqlite3_backup_step(bk, -1)) == SQLITE_BUSY ||
	       s == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(bk);
	if (s != SQLITE_DONE) {
		snprintf(why, size, "backup: %s", sqlite3_errstr(s));
		goto out;
	}
	if (!integrity_ok(dst)) {
		snprintf(why, size, "the copy fails PRAGMA integrity_check");
		goto out;
	}
	/* A WAL database's copy is in WAL mode too: fold it into the main
	 * file so OUT alone is the backup. */
	if (sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(why, size, "cannot finish the copy: %s",
			 sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(why, size, "cannot close the copy");
		goto out;
	}
	dst = NULL;
	/* link(), not rename(): never replaces a file made meanwhile. */
	if (fsync_path(tmp, 0) != 0 || link(tmp, out_path) != 0 ||
	    fsync_path(dir, 1) != 0) {
		snprintf(why, size, "cannot write %s: %s", out_path,
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}
