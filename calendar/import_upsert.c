/*
 * import_upsert.c: store an imported file's events by UID (see
 * import_upsert.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_upsert.h"
#include "kind.h"

/* Mark it refused with property, code and a formatted detail. */
static void
refuse(struct cal_upsert_item *it, const char *property, const char *code,
       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
refuse(struct cal_upsert_item *it, const char *property, const char *code,
       const char *fmt, ...)
{
	va_list ap;

	it->outcome = CAL_UPSERT_REFUSED;
	it->property = property;
	it->code = code;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

/* Who holds uid: 0 none, 1 this host, 2 another host; <0 an error. */
static int
holder(struct db *db, const char *uid, const char *carrier, int64_t *id)
{
	char *held = NULL;
	int r = db_event_host_of_uid(db, uid, id, &held);

	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	r = (!held || !carrier) ? (!held && !carrier ? 1 : 2) :
	    strcmp(held, carrier) == 0 ? 1 : 2;
	free(held);
	return r;
}

/*
 * The stored event that a file's UID names for this host, if any, and
 * the UID to store it under (the file's, or the alias "<UID>~<carrier>").
 * Returns 0 (*cur filled), -ENOENT (a new event under *stored_uid),
 * -EEXIST (both names taken elsewhere), -ENOMEM, -EIO.
 */
static int
find_own(struct db *db, const char *uid, const char *carrier,
	 struct db_event *cur, char **stored_uid)
{
	size_t len = strlen(uid) + (carrier ? strlen(carrier) : 1) + 2;
	char *alias = malloc(len);
	int64_t id = 0;
	int h, ha;

	*stored_uid = NULL;
	if (!alias)
		return -ENOMEM;
	snprintf(alias, len, "%s~%s", uid, carrier ? carrier : "-");
	h = holder(db, uid, carrier, &id);
	if (h == 0 || h == 2) {
		ha = holder(db, alias, carrier, &id);
		if (ha < 0) {
			free(alias);
			return ha;
		}
		if (ha == 0 && h == 0) {	/* a new event, its own UID */
			free(alias);
			*stored_uid = strdup(uid);
			return *stored_uid ? -ENOENT : -ENOMEM;
		}
		if (ha == 2) {
			free(alias);
			return -EEXIST;
		}
		*stored_uid = alias;
		if (ha == 0)
			return -ENOENT;	/* new, under the alias */
	} else if (h < 0) {
		free(alias);
		return h;
	} else {
		free(alias);
		*stored_uid = strdup(uid);
		if (!*stored_uid)
			return -ENOMEM;
	}
	h = db_event_get(db, id, cur);
	if (h != 0) {
		free(*stored_uid);
		*stored_uid = NULL;
	}
	return h == -ENOENT ? -EIO : h;
}

/* Update the stored cur from ev (what the file does not carry is kept),
 * or leave it when nothing changed. */
static int
update_one(struct db *db, struct cal_upsert_item *it, struct db_event *cur,
	   const char *actor, int64_t now_utc,
	   const struct cal_upsert_rules *rules)
{
	struct db_event *ev = &it->ev;
	int rc = 0;

	ev->id = cur->id;
	/* partner regions and capacity are not in the file */
	ev->partner_regions = cur->partner_regions;
	ev->n_partner_regions = cur->n_partner_regions;
	cur->partner_regions = NULL;
	cur->n_partner_regions = 0;
	ev->capacity = cur->capacity;
	if (rules->any_change(ev, cur)) {
		ev->sequence = cur->sequence +
			       (rules->significant_change(ev, cur) ? 1 : 0);
		rc = db_event_update(db, ev, cur->revision, actor, now_utc);
		it->outcome = CAL_UPSERT_UPDATED;
	} else {
		it->outcome = CAL_UPSERT_UNCHANGED;
	}
	if (rc == 0)
		it->id = cur->id;
	return rc;
}

/* Store one item. 0 (stored, or refused: see it->outcome), or an error
 * that ends the import. */
static int
upsert_one(struct db *db, struct cal_upsert_item *it, const char *carrier,
	   const char *default_kind, const char *actor, int64_t now_utc,
	   const struct cal_upsert_rules *rules)
{
	struct db_event cur;
	char *stored_uid = NULL;
	int r, rc = 0;

	if (!it->ev.kind && default_kind) {
		it->ev.kind = strdup(default_kind);
		if (!it->ev.kind)
			return -ENOMEM;
	}
	if (!it->ev.kind || !cal_kind_find(it->ev.kind)) {
		refuse(it, "CATEGORIES", "no-kind", "no CATEGORIES names one"
		       " of the event kinds (roadshow, salon, forum, training,"
		       " seminar, exhibition, competition, or 项目路演 …): give"
		       " a default kind (?kind= over HTTP, --kind on the"
		       " command line)");
		return 0;
	}
	it->ev.carrier = carrier ? strdup(carrier) : NULL;
	if (carrier && !it->ev.carrier)
		return -ENOMEM;
	r = find_own(db, it->ev.uid, carrier, &cur, &stored_uid);
	if (r == -EEXIST) {
		refuse(it, "UID", "uid-unavailable", "this UID cannot be used"
		       " for this host; give the event another UID");
		return 0;
	}
	if (r != 0 && r != -ENOENT)
		return r;
	it->file_uid = it->ev.uid;
	it->ev.uid = stored_uid;
	if (r == 0) {
		rc = update_one(db, it, &cur, actor, now_utc, rules);
		db_event_release(&cur);
	} else {
		rc = db_event_insert(db, &it->ev, actor, now_utc, &it->id);
		it->outcome = CAL_UPSERT_CREATED;
	}
	return rc;
}

int
cal_import_upsert(struct db *db, struct cal_upsert_item *items, size_t n,
		  const char *carrier, const char *default_kind,
		  const char *actor, int64_t now_utc, int dry_run,
		  const struct cal_upsert_rules *rules, size_t *n_refused)
{
	size_t i;
	int rc = 0;

	*n_refused = 0;
	for (i = 0; i < n; i++) {
		items[i].outcome = CAL_UPSERT_REFUSED;
		items[i].id = 0;
		items[i].property = "";
		items[i].code = "";
		items[i].detail[0] = '\0';
	}
	if (!rules || !rules->any_change || !rules->significant_change)
		return -EINVAL;
	if (db_tx_begin(db) != 0)
		return -EIO;
	for (i = 0; i < n && rc == 0; i++) {
		struct cal_upsert_item *it = &items[i];

		if (it->malformed)
			refuse(it, "", "malformed", "event %zu is malformed",
			       i + 1);
		else
			rc = upsert_one(db, it, carrier, default_kind, actor,
					now_utc, rules);
		if (rc == 0 && it->outcome == CAL_UPSERT_REFUSED)
			(*n_refused)++;
	}
	if (rc == 0 && *n_refused)
		rc = -EINVAL;
	if (dry_run) {
		/* Nothing is kept: roll back what was tried. */
		rc = db_tx_end(db, rc ? rc : -ECANCELED);
		return rc == -ECANCELED || rc == -EINVAL ? 0 : rc;
	}
	return db_tx_end(db, rc);
}

void
cal_upsert_items_release(struct cal_upsert_item *items, size_t n)
{
	size_t i;

	if (!items)
		return;
	for (i = 0; i < n; i++) {
		db_event_release(&items[i].ev);
		free(items[i].file_uid);
	}
	free(items);
}
