/*
 * event_store: events (table event), their partner regions
 * (event_partner) and the exceptions of a series (event_exdate,
 * event_rdate, event_override; event_series.c). Every write records an
 * event_history row in its own transaction (history_store.h), and joins
 * the caller's transaction when one is open (db_tx_begin()).
 *
 * Errors and units as in db.h.
 */
#ifndef ROADSHOWD_EVENT_STORE_H
#define ROADSHOWD_EVENT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* One changed occurrence of a series (RFC 5545 §3.8.4.4 RECURRENCE-ID).
 * NULL strings inherit the series' values. */
struct db_override {
	int64_t recurrence_utc;		/* original start, seconds UTC */
	int64_t start_utc;		/* moved start, seconds UTC */
	int64_t end_utc;		/* moved end, seconds UTC */
	char *title;
	char *venue;
	char *description;
	char *status;			/* NULL: the series' status */
};

/* An event, as stored. All strings and arrays are owned by the struct
 * (db_event_release()). */
struct db_event {
	int64_t id;
	char *uid;			/* RFC 5545 UID, stable for life */
	char *kind;			/* roadshow, salon, ... (calendar/kind.h) */
	char *title;
	char *description;		/* NULL when none */
	char *venue;			/* NULL when none */
	int all_day;			/* 1: DATE values, end exclusive */
	int64_t start_utc;		/* seconds; all-day: local midnight */
	int64_t end_utc;		/* seconds; exclusive */
	char start_date[11];		/* YYYY-MM-DD when all_day, else "" */
	char end_date[11];		/* YYYY-MM-DD exclusive when all_day */
	char *tzid;			/* IANA name, e.g. "Asia/Shanghai" */
	char *status;			/* TENTATIVE, CONFIRMED, CANCELLED */
	char *carrier;			/* host carrier slug; NULL: the district */
	char *carrier_name;		/* read only, from the carrier */
	char *region;			/* read only, derived from the carrier */
	char **partner_regions;		/* region slugs */
	size_t n_partner_regions;
	char *rrule;			/* RFC 5545 RECUR value or NULL */
	char *url;			/* NULL when none */
	int64_t capacity;		/* people; 0 when not set */
	int64_t sequence;		/* RFC 5545 SEQUENCE */
	int64_t revision;		/* grows by one on every write (ETag) */
	int64_t created_utc;		/* seconds */
	int64_t modified_utc;		/* seconds; last change */
	int64_t placed_utc;		/* seconds; read only: created, or
					 * last moved to another month */
	int has_geo;			/* 1 when geo_lat/geo_lon are set */
	double geo_lat;			/* degrees, WGS 84 (RFC 5545 GEO) */
	double geo_lon;			/* degrees */
	int64_t *exdates;		/* EXDATE: cancelled occurrence
					 * starts, seconds UTC, ascending */
	size_t n_exdates;
	struct db_override *overrides;	/* RECURRENCE-ID overrides,
					 * ascending by recurrence_utc; loaded
					 * only for a series (rrule set) */
	size_t n_overrides;
	int64_t *rdates;		/* RDATE: extra occurrence starts,
					 * seconds UTC, ascending (RFC 5545
					 * §3.8.5.2); a series with or without
					 * rrule */
	size_t n_rdates;
	char *tzid_source;		/* NULL, or the TZID an imported file
					 * used when no IANA zone matched its
					 * VTIMEZONE (tzid is then "UTC") */
};

/* Filters for db_event_list(); zero / NULL fields do not filter. All
 * strings are borrowed for the call. */
struct db_event_filter {
	int64_t from_utc;		/* events ending after this (a series:
					 * any that starts before to_utc);
					 * 0: none */
	int64_t to_utc;			/* events starting before this; 0: none */
	int has_window;			/* 1 when from/to apply */
	const char *kind;		/* kind slugs, comma-separated: any */
	const char *region;		/* host carrier's region slug */
	const char *carrier;		/* carrier slug; "-" for the district */
	const char *partner;		/* partner region slug */
	const char *status;
	const char *q;			/* substring of title/description/venue */
	int exclude_tentative;		/* 1: leave TENTATIVE out, */
	const char *const *tentative_carriers; /* except these carriers' */
	size_t n_tentative_carriers;
	int64_t cancelled_since;	/* leave out CANCELLED modified before
					 * this (seconds UTC); 0: keep all */
	int64_t after_id;		/* keyset pagination: rows after
					 * (after_start_utc, after_id) in
					 * (start_utc, id) order; 0: none */
	int64_t after_start_utc;
	int limit;			/* rows at most; 0: no limit */
};

/* The result of db_event_list(): n events, owned (db_event_list_free()). */
struct db_event_list {
	struct db_event *items;
	size_t n;
};

/*
 * Insert ev (uid, kind, title, times, tzid, status required; carrier slug
 * or NULL for the district, partner_regions, rrule, exceptions, ...) with
 * sequence 0 (ev->sequence is ignored), revision 1, created and modified
 * at now_utc (seconds UTC), and one "create" history row by actor, in one
 * transaction. Its id is past every id the event table and its history
 * ever held, so a deleted event's id is never reused. ev and actor are
 * borrowed. Returns 0 and *id_out (id_out may be NULL), -EINVAL (missing
 * field, end before start, unknown carrier, a partner_regions slug that
 * is unknown or not a partner region, another constraint), -EEXIST (uid
 * taken), -ENOMEM, -EIO. Nothing is written on error.
 */
int db_event_insert(struct db *db, const struct db_event *ev,
		    const char *actor, int64_t now_utc, int64_t *id_out);

/*
 * Replace the stored event ev->id with ev's editable fields (all but id,
 * uid, revision and the times it was created and placed). When if_revision
 * > 0 and differs from the stored revision: -ESTALE. The revision grows
 * by one; sequence is set to ev->sequence (the caller decides what is a
 * significant change, calendar/); modified_utc = now_utc; an "update"
 * history row with the before/after snapshots is written in the same
 * transaction. ev and actor are borrowed. Returns 0, -ENOENT (no such
 * id), -ESTALE, -EINVAL (as for db_event_insert(), or ev->uid differs
 * from the stored UID), -ENOMEM, -EIO. Nothing is written on error.
 */
int db_event_update(struct db *db, const struct db_event *ev,
		    int64_t if_revision, const char *actor, int64_t now_utc);

/* Hard delete (admin) of event id with its partner regions and
 * exceptions; a "delete" history row by actor at now_utc keeps the last
 * snapshot. 0, -EINVAL (actor NULL), -ENOENT, -ENOMEM, -EIO. */
int db_event_delete(struct db *db, int64_t id, const char *actor,
		    int64_t now_utc);

/*
 * Load the event id (or uid, borrowed) with its partner regions, EXDATEs,
 * RDATEs and, for a series, its overrides into *out (zeroed first;
 * release with db_event_release()). 0, -EINVAL (uid NULL), -ENOENT,
 * -ENOMEM, -EIO.
 */
int db_event_get(struct db *db, int64_t id, struct db_event *out);
int db_event_get_by_uid(struct db *db, const char *uid, struct db_event *out);

/* The id and host carrier slug of the event with uid (borrowed), without
 * loading the whole event (an import checks thousands): *carrier_out is a
 * new string the caller frees with free(), NULL for the district.
 * 0, -ENOENT, -ENOMEM, -EIO. */
int db_event_host_of_uid(struct db *db, const char *uid, int64_t *id_out,
			 char **carrier_out);

/*
 * The events matching f (NULL: all), ordered by start_utc then id, with
 * the overrides of every series (one query for all of them). On 0, out
 * holds new events the caller frees with db_event_list_free(); on error
 * out is empty. 0, -ENOMEM, -EIO.
 */
int db_event_list(struct db *db, const struct db_event_filter *f,
		  struct db_event_list *out);
/* Release every event of l and empty it. NULL is a no-op. */
void db_event_list_free(struct db_event_list *l);

/* ---- struct db_event as a value (event_value.c; no database access) ---- */

/* Free everything ev owns and zero it. NULL is a no-op. */
void db_event_release(struct db_event *ev);

/* Add t (seconds UTC) to ev->exdates, kept ascending and without
 * duplicates. 0 or -ENOMEM (ev unchanged). */
int db_event_add_exdate(struct db_event *ev, int64_t t);

/* Add t (seconds UTC) to ev->rdates, kept ascending and without
 * duplicates. 0 or -ENOMEM (ev unchanged). */
int db_event_add_rdate(struct db_event *ev, int64_t t);

/* Deep copy src (borrowed) into dst, which is overwritten without being
 * released; release dst with db_event_release(). 0, or -ENOMEM (dst is
 * then zeroed and owns nothing). */
int db_event_copy(struct db_event *dst, const struct db_event *src);

#endif
