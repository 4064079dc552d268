/*
 * svc_admin: admin data over HTTP (issue 9) — carriers, regions and
 * targets, API tokens, the audit trail and event history. Handlers and the
 * helpers other handlers share. Part of service/: see svc.h.
 */
#ifndef ROADSHOWD_SVC_ADMIN_H
#define ROADSHOWD_SVC_ADMIN_H

#include "svc.h"

/*
 * The JSON of a carrier (DESIGN.md fields slug, name, kind, level, region,
 * plus name_en, recognised_on, address, geo, website, contact,
 * retired_from) and, when with_feed, its feed links. New reference, NULL
 * when out of memory; c borrowed.
 */
json_t *svc_carrier_json(struct svc *svc, const struct db_carrier *c,
			 int with_feed);

/* The JSON of a region (slug, name, name_en, kind, partner, targets,
 * target_year, annex_targets: the annex's printed plan or null, annex_row)
 * and, when with_feed, its feed links. New reference or NULL. */
json_t *svc_region_json(struct svc *svc, const struct db_region *r,
			int with_feed);

/*
 * Append an audit row for a change, inside the caller's transaction
 * (db_tx_begin()): actor (the token's or session's actor string),
 * object_type, object_id, action as for db_audit_add(); before and after
 * are borrowed JSON values (NULL: none), stored as compact JSON text at the
 * server's clock. 0, -ENOMEM, -EINVAL, -EIO.
 */
int svc_audit_write(struct svc *svc, const char *actor,
		    const char *object_type, const char *object_id,
		    const char *action, json_t *before, json_t *after);

/* svc_audit_write() with an explicit database and time (seconds UTC), for
 * the command line. */
int svc_audit_write_at(struct db *db, int64_t at_utc, const char *actor,
		       const char *object_type, const char *object_id,
		       const char *action, json_t *before, json_t *after);

/*
 * Store a new token (hash_hex, role, carrier, label as for
 * db_token_insert(); expires_utc seconds UTC or 0 for never) and its audit
 * row by actor, in one transaction. 0 and *id_out, or -EINVAL (unknown
 * carrier, bad role), -ENOMEM, -EIO; nothing is stored on error.
 */
int svc_token_store(struct db *db, const char *hash_hex, const char *role,
		    const char *carrier, const char *label,
		    int64_t expires_utc, const char *actor, int64_t now_utc,
		    int64_t *id_out);

/* Revoke token id from now_utc with its audit row by actor, in one
 * transaction. 0, -ENOENT (unknown or already revoked), -ENOMEM, -EIO. */
int svc_token_revoke_audited(struct db *db, int64_t id, const char *actor,
			     int64_t now_utc);

/*
 * A retired carrier hosts no new event: when ev's host carrier has a
 * retired_from date and ev (any occurrence of a series) starts on or after
 * that local date, answer 409 naming the field "carrier", set *ret and
 * return 1. 0 when ev may be stored; on a database error answers 500 and
 * returns 1. ev borrowed.
 */
int svc_event_carrier_closed(struct svc_request *req,
			     const struct db_event *ev, enum MHD_Result *ret);

/* 1 when carrier slug is retired, with its retired_from date in day;
 * 0 when not (or unknown). */
int svc_carrier_retired(struct svc *svc, const char *slug, char day[11]);

/* ---- checking a carrier's or a region's body members (h_admin.c);
 * the body itself is read by svc_body_read() (body.h) ---- */

/* Longest slug of a carrier or region, octets. */
#define SVC_SLUG_MAX 64

/*
 * Field name of obj as text of 1..max octets without control characters
 * (or JSON null when nullable). Returns 1 and *out (borrowed from obj;
 * NULL for null) when present and valid, 0 when absent, -1 after adding
 * an error.
 */
int svc_admin_take_text(json_t *obj, const char *name, size_t max,
			int nullable, const char **out, json_t *errors);

/* Field name of obj as one of list (NULL-terminated): 1 with *out
 * (borrowed from obj), 0 when absent, -1 after adding "must be one of
 * ...". */
int svc_admin_take_choice(json_t *obj, const char *name,
			  const char *const *list, const char **out,
			  json_t *errors);

/* Field name of obj as null or a date YYYY-MM-DD from 1970 to 2200: 1
 * with *out (borrowed; NULL for null), 0 when absent, -1 after adding an
 * error. */
int svc_admin_take_date(json_t *obj, const char *name, const char **out,
			json_t *errors);

/* obj's "slug": an ASCII slug of 1..SVC_SLUG_MAX of a-z, 0-9 and '-',
 * not starting or ending with '-'. *out is borrowed from obj (NULL when
 * absent); an error is added when it is not such a slug. */
void svc_admin_read_slug(json_t *obj, const char **out, json_t *errors);

/* 1 when a PATCH changes nothing: before (borrowed) equals after (stolen;
 * NULL counts as a change). Then nothing is written, no audit row. */
int svc_admin_unchanged(json_t *before, json_t *after);

/* Answer 409 "conflict" naming field, detail as its error. */
enum MHD_Result svc_admin_conflict(struct svc_request *req,
				   const char *field, const char *detail);

/*
 * Handlers (h_carriers.c, h_regions.c), admins' routes (router.c):
 * POST /api/v1/carriers answers 201 with the carrier (400 naming bad
 * fields, 409 when the slug exists); PATCH /api/v1/carriers/{slug}
 * (req->params[0]) answers 200 (404 unknown, 409 a retirement date not
 * after the carrier's last event); the same for /api/v1/regions. Every
 * change writes its audit row in the same transaction; nothing is
 * written on an error or when a PATCH changes nothing.
 */
enum MHD_Result svc_h_carriers_create(struct svc_request *req);
enum MHD_Result svc_h_carrier_patch(struct svc_request *req);
enum MHD_Result svc_h_regions_create(struct svc_request *req);
enum MHD_Result svc_h_region_patch(struct svc_request *req);
/* h_tokens.c */
enum MHD_Result svc_h_tokens_list(struct svc_request *req);
enum MHD_Result svc_h_tokens_create(struct svc_request *req);
enum MHD_Result svc_h_token_revoke(struct svc_request *req);
/* h_audit.c */
enum MHD_Result svc_h_audit(struct svc_request *req);
enum MHD_Result svc_h_event_history(struct svc_request *req);

#endif
