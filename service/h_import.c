/*
 * h_import.c: POST /api/v1/events/import?carrier=SLUG[&kind=KIND]
 * [&dry_run=1] with a text/calendar body. Events are upserted by UID for
 * the carrier; the same file imported twice changes nothing; a broken or
 * hostile file gets a problem naming what is wrong (VEVENT number, line,
 * UID) and nothing from it is stored. A dry run (dry_run=1) answers 200
 * with what would be created, updated, unchanged and refused, and stores
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../calendar/kind.h"
#include "ics_import.h"
#include "session.h"
#include "svc.h"
#include "svc_admin.h"

/* "VEVENT n (line l, UID u): detail" for the first refusal. */
static void
first_detail(json_t *e, char *out, size_t size)
{
	int line = (int)json_integer_value(json_object_get(e, "line"));
	int vevent = (int)json_integer_value(json_object_get(e, "vevent"));
	const char *uid = json_string_value(json_object_get(e, "uid"));
	const char *detail = json_string_value(json_object_get(e, "detail"));

	if (vevent > 0)
		snprintf(out, size, "VEVENT %d (line %d%s%s): %s", vevent,
			 line, uid && *uid ? ", UID " : "", uid && *uid ? uid :
			 "", detail ? detail : "");
	else if (uid && *uid)
		snprintf(out, size, "UID %s: %s", uid, detail ? detail : "");
	else
		snprintf(out, size, "%s", detail ? detail : "");
}

/* Chinese explanations of the import's refusal codes (calendar/import.c,
 * ics_import.c); the English detail, which names the value, follows in
 * brackets. */
static const struct {
	const char *code;
	const char *zh;
} import_zh[] = {
	{ "not-icalendar", "不是 iCalendar 文件" },
	{ "no-vevent", "文件中没有活动（VEVENT）" },
	{ "bad-line", "这一行不符合 iCalendar 格式" },
	{ "control-char", "含有不允许的控制字符" },
	{ "bad-value", "属性值无效" },
	{ "bad-rrule", "重复规则（RRULE）无效" },
	{ "unknown-tzid", "时区在文件中没有定义，也不是已知的时区名" },
	{ "too-many", "数量超过上限" },
	{ "too-long", "内容过长" },
	{ "duplicate-uid", "同一文件中 UID 重复" },
	{ "no-series", "不是重复系列，不能有例外" },
	{ "no-occurrence", "重复系列没有任何一次发生" },
	{ "no-kind", "无法确定活动类型，请在导入时选择类型" },
	{ "uid-unavailable", "该 UID 无法使用" },
	{ "malformed", "活动数据不完整" },
	{ "timeout", "文件读取超时，已放弃" },
	{ "unreadable", "文件无法读取" },
};

/*
 * With Accept-Language preferring Chinese, give each refusal in list (a
 * JSON array of refusal objects, changed in place) a Chinese detail:
 * "说明（属性；English detail）". Unknown codes keep their English.
 */
static void
refusals_to_zh(struct svc_request *req, json_t *list)
{
	json_t *e;
	size_t i, k;

	if (!svc_lang_zh(svc_header(req, MHD_HTTP_HEADER_ACCEPT_LANGUAGE)))
		return;
	json_array_foreach(list, i, e) {
		const char *code = json_string_value(json_object_get(e,
								     "code"));
		const char *prop = json_string_value(json_object_get(e,
							"property"));
		const char *en = json_string_value(json_object_get(e,
								   "detail"));
		char zh[700];

		for (k = 0; code && k < sizeof(import_zh) / sizeof(import_zh[0]);
		     k++) {
			if (strcmp(import_zh[k].code, code) != 0)
				continue;
			snprintf(zh, sizeof(zh), "%s（%s%s%s）", import_zh[k].zh,
				 prop && *prop ? prop : "",
				 prop && *prop ? "；" : "", en ? en : "");
			json_object_set_new(e, "detail", json_string(zh));
			break;
		}
	}
}

/* {field, vevent, line, uid, property, code, detail} of a refusal. */
static json_t *
refusal(json_t *e)
{
	const char *prop = json_string_value(json_object_get(e, "property"));
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *uid = json_string_value(json_object_get(e, "uid"));
	const char *detail = json_string_value(json_object_get(e, "detail"));

	return json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "field",
			 "body", "vevent", json_integer_value(
				 json_object_get(e, "vevent")),
			 "line", json_integer_value(json_object_get(e, "line")),
			 "uid", uid ? uid : "", "property", prop ? prop : "",
			 "code", code ? code : "invalid", "detail",
			 detail ? detail : "");
}

static enum MHD_Result
bad_file(struct svc_request *req, json_t *refusals)
{
	json_t *errors = json_array();
	size_t i;
	char first[600];

	for (i = 0; errors && i < json_array_size(refusals); i++)
		json_array_append_new(errors,
				      refusal(json_array_get(refusals, i)));
	refusals_to_zh(req, errors);
	first_detail(json_array_get(errors, 0), first, sizeof(first));
	return svc_problem(req, SVC_PROB_INVALID_ICALENDAR, first, errors);
}

/* The dry run's answer (its shape is in the README's import section). */
static enum MHD_Result
dry_answer(struct svc_request *req, struct svc_import_counts *counts,
	   json_t *parse_errors, json_t *apply_errors)
{
	json_t *refused = json_array(), *body;
	size_t i;

	for (i = 0; refused && i < json_array_size(parse_errors); i++)
		json_array_append_new(refused, refusal(json_array_get(
						parse_errors, i)));
	for (i = 0; refused && i < json_array_size(apply_errors); i++)
		json_array_append_new(refused, refusal(json_array_get(
						apply_errors, i)));
	refusals_to_zh(req, refused);
	/* The "field" member belongs to problems, not to this list. */
	for (i = 0; refused && i < json_array_size(refused); i++)
		json_object_del(json_array_get(refused, i), "field");
	body = json_pack("{s:b, s:o, s:o, s:o, s:o, s:{s:i, s:i, s:i, s:i}}",
			 "dry_run", 1,
			 "created", counts->created_list ?
			 json_incref(counts->created_list) : json_array(),
			 "updated", counts->updated_list ?
			 json_incref(counts->updated_list) : json_array(),
			 "unchanged", counts->unchanged_list ?
			 json_incref(counts->unchanged_list) : json_array(),
			 "refused", refused, "counts",
			 "created", counts->created, "updated",
			 counts->updated, "unchanged", counts->unchanged,
			 "refused", (int)json_array_size(refused));
	return svc_respond_json(req, 200, body);
}

/* The query of an import. */
struct import_query {
	const char *carrier;		/* host carrier slug, borrowed */
	const char *kind;		/* default kind, or NULL */
	int dry_run;			/* 1: store nothing, tell what */
};

/* Read and check the query (the carrier defaults to an organiser's only
 * one); errors get one entry per bad parameter. */
static void
read_query(struct svc_request *req, const struct svc_auth *auth,
	   struct import_query *q, json_t *errors)
{
	const char *dry = svc_query(req, "dry_run");
	struct db_carrier c;

	q->carrier = svc_query(req, "carrier");
	q->kind = svc_query(req, "kind");
	q->dry_run = 0;
	if (!q->carrier && !auth->admin)
		q->carrier = svc_auth_default_carrier(auth);
	if (!q->carrier) {
		svc_problem_add(errors, "carrier", "is required: the host"
				" carrier's slug (?carrier=SLUG)");
	} else if (db_carrier_get(req->svc->db, q->carrier, &c) != 0) {
		svc_problem_add(errors, "carrier", "'%s' is not a known"
				" carrier", q->carrier);
	} else {
		db_carrier_release(&c);
	}
	if (q->kind && !cal_kind_find(q->kind))
		svc_problem_add(errors, "kind", "'%s' is not an event kind",
				q->kind);
	if (dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0))
		q->dry_run = 1;
	else if (dry && strcmp(dry, "0") != 0 && strcmp(dry, "false") != 0)
		svc_problem_add(errors, "dry_run", "must be 1 (or true) for a"
				" dry run, 0 (or false) or absent to import");
}

/*
 * Everything that refuses an import before the file is read (the media
 * type's 415 is the route's, router.c): query (400), carrier not the
 * caller's (403) or retired (409), empty body (400). 1 with *ret answered
 * (errors stolen), else 0.
 */
static int
refused(struct svc_request *req, const struct svc_auth *auth,
	struct import_query *q, json_t *errors, enum MHD_Result *ret)
{
	char retired_day[11];

	read_query(req, auth, q, errors);
	if (json_array_size(errors)) {
		*ret = svc_problem(req, SVC_PROB_INVALID_QUERY, "see errors",
				   errors);
		return 1;
	}
	if (!svc_auth_may_write(auth, q->carrier)) {
		svc_problem_addc(errors, "carrier", "not_your_carrier",
				 "this %s may import only for carrier%s '%s'",
				 auth->session ? "account" : "token",
				 auth->n_carriers > 1 ? "s" : "",
				 auth->carrier ? auth->carrier : "(none)");
		*ret = svc_problem(req, SVC_PROB_WRONG_CARRIER,
				   "wrong carrier", errors);
		return 1;
	}
	if (svc_carrier_retired(req->svc, q->carrier, retired_day)) {
		/* issue 9: a retired carrier takes no new events */
		svc_problem_add(errors, "carrier", "'%s' is retired from %s:"
				" it takes no imports", q->carrier,
				retired_day);
		*ret = svc_problem(req, SVC_PROB_CARRIER_RETIRED, "carrier: the"
				   " host carrier is retired", errors);
		return 1;
	}
	if (!req->body || req->body_len == 0) {
		svc_problem_add(errors, "body", "an iCalendar file is"
				" required");
		*ret = svc_problem(req, SVC_PROB_INVALID_ICALENDAR,
				   "empty body", errors);
		return 1;
	}
	json_decref(errors);
	return 0;
}

/*
 * Parse the body in the sandboxed child into *parsed (caller
 * json_decref()s). 0, or 1 with *ret answered: 500 out of memory, a
 * file the child could not read (400, 422 on timeout; in a dry run 200
 * listing it as refused).
 */
static int
parse_file(struct svc_request *req, const struct import_query *q,
	   struct svc_import_counts *counts, json_t **parsed,
	   enum MHD_Result *ret)
{
	struct svc *svc = req->svc;
	json_t *errors, *one;
	char why[200];
	int rc;

	/* The parser child needs no lock; others may use the database. */
	pthread_mutex_unlock(&svc->lock);
	rc = svc_ics_parse_isolated(svc->self_exe, req->body, req->body_len,
				    parsed, why, sizeof(why));
	pthread_mutex_lock(&svc->lock);
	if (rc == 0)
		return 0;
	if (rc == -ENOMEM) {
		*ret = svc_respond_errno(req, rc, "");
	} else if (q->dry_run) {
		one = json_pack("[{s:i, s:i, s:s, s:s, s:s, s:s}]", "vevent",
				0, "line", 0, "uid", "", "property", "",
				"code", rc == -ETIMEDOUT ? "timeout" :
				"unreadable", "detail", why);
		*ret = dry_answer(req, counts, one, NULL);
		json_decref(one);
	} else {
		errors = json_array();
		svc_problem_add(errors, "body", "%s", why);
		*ret = svc_problem(req, rc == -ETIMEDOUT ?
				   SVC_PROB_ICALENDAR_TIMEOUT :
				   SVC_PROB_INVALID_ICALENDAR, why, errors);
	}
	return 1;
}

/* Upsert the parsed file (or try it, in a dry run) and answer. */
static enum MHD_Result
apply_file(struct svc_request *req, const struct svc_auth *auth,
	   const struct import_query *q, json_t *parsed,
	   struct svc_import_counts *counts)
{
	json_t *perrs = json_object_get(parsed, "errors"), *errors;
	enum MHD_Result ret;
	int rc;

	if (json_array_size(perrs) && !q->dry_run)
		return bad_file(req, perrs);
	errors = json_array();
	rc = svc_import_apply(req->svc->db, parsed, q->carrier, q->kind,
			      auth->actor, req->svc->clock(), q->dry_run,
			      errors, counts);
	if (rc == 0 && q->dry_run)
		ret = dry_answer(req, counts, perrs, errors);
	else if (rc == -EINVAL && json_array_size(errors))
		ret = bad_file(req, errors);
	else if (rc != 0)
		ret = svc_respond_errno(req, rc, "the import");
	else
		ret = svc_respond_json(req, 200, json_pack("{s:i, s:i, s:i,"
				       " s:O}", "created", counts->created,
				       "updated", counts->updated,
				       "unchanged", counts->unchanged,
				       "ids", counts->ids));
	json_decref(errors);
	return ret;
}

enum MHD_Result
svc_h_import(struct svc_request *req)
{
	struct svc_import_counts counts;
	struct import_query q;
	json_t *parsed = NULL;
	enum MHD_Result ret;

	/* the route needs a caller: the router put it in req->auth */
	memset(&counts, 0, sizeof(counts));
	if (!refused(req, &req->auth, &q, json_array(), &ret) &&
	    !parse_file(req, &q, &counts, &parsed, &ret))
		ret = apply_file(req, &req->auth, &q, parsed, &counts);
	svc_import_counts_release(&counts);
	json_decref(parsed);
	return ret;
}
