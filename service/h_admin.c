/*
 * h_admin.c: what the admin handlers share (svc_admin.h): the audit row
 * and checking the members of a carrier's or a region's JSON body (read
 * by svc_body_read(), body.h; admins only by their routes, router.c). The
 * resources themselves are h_carriers.c and h_regions.c (issue 9).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "svc_admin.h"

/* 1 when s (may be NULL: 0) is one of the NULL-terminated list. */
static int
listed(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* ---- the audit row ---- */

int
svc_audit_write_at(struct db *db, int64_t at_utc, const char *actor,
		   const char *object_type, const char *object_id,
		   const char *action, json_t *before, json_t *after)
{
	char *b = NULL, *a = NULL;
	int rc = -ENOMEM;

	if (before && !(b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS)))
		goto out;
	if (after && !(a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS)))
		goto out;
	rc = db_audit_add(db, at_utc, actor, object_type, object_id, action, b,
			  a);
out:
	free(b);
	free(a);
	return rc;
}

int
svc_audit_write(struct svc *svc, const char *actor, const char *object_type,
		const char *object_id, const char *action, json_t *before,
		json_t *after)
{
	return svc_audit_write_at(svc->db, svc->clock(), actor, object_type,
				  object_id, action, before, after);
}

/* ---- reading a body's members (the body itself: svc_body_read()) ---- */

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Field `name` of obj as text of 1..max octets without control characters.
 * Returns 1 and *out (borrowed from obj; NULL for JSON null when nullable)
 * when present and valid, 0 when absent, -1 after adding an error.
 */
int
svc_admin_take_text(json_t *obj, const char *name, size_t max, int nullable,
	  const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s;

	*out = NULL;
	if (!v)
		return 0;
	if (json_is_null(v) && nullable)
		return 1;
	s = json_string_value(v);
	if (!s || !*s || json_string_length(v) > max ||
	    strlen(s) != json_string_length(v) || has_control(s)) {
		svc_problem_add(errors, name, "must be %stext of 1 to %zu"
				" octets without control characters",
				nullable ? "null or " : "", max);
		return -1;
	}
	*out = s;
	return 1;
}

int
svc_admin_take_choice(json_t *obj, const char *name, const char *const *list,
	    const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	if (!v)
		return 0;
	if (!s || !listed(list, s)) {
		char choices[160] = "";
		const char *const *p;

		for (p = list; *p; p++) {
			if (*choices)
				strncat(choices, ", ", sizeof(choices) -
					strlen(choices) - 1);
			strncat(choices, *p, sizeof(choices) - strlen(choices) -
				1);
		}
		svc_problem_add(errors, name, "must be one of %s", choices);
		return -1;
	}
	*out = s;
	return 1;
}

int
svc_admin_take_date(json_t *obj, const char *name, const char **out,
		    json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	int y, m, d;

	*out = NULL;
	if (!v)
		return 0;
	if (json_is_null(v))
		return 1;
	if (!json_is_string(v) ||
	    cal_date_parse(json_string_value(v), &y, &m, &d) != 0 ||
	    y < 1970 || y > 2200) {
		svc_problem_addc(errors, name, "bad_date", "must be null or"
				 " a date YYYY-MM-DD (1970 to 2200)");
		return -1;
	}
	*out = json_string_value(v);
	return 1;
}

/* An ASCII slug: 1..64 of a-z, 0-9 and '-', not starting or ending with
 * '-'. NULL when valid, else the reason. */
static const char *
slug_problem(const char *s)
{
	size_t i, n;

	if (!s)
		return "is required: a string";
	n = strlen(s);
	if (n == 0 || n > SVC_SLUG_MAX)
		return "must be 1 to 64 characters";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return "must use only ASCII a-z, 0-9 and '-'";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not start or end with '-'";
	return NULL;
}

void
svc_admin_read_slug(json_t *obj, const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, "slug");
	const char *why;

	*out = json_string_value(v);
	if (v && !json_is_string(v))
		why = "is required: a string";
	else
		why = slug_problem(*out);
	if (why)
		svc_problem_add(errors, "slug", "%s", why);
	else if (strlen(*out) != json_string_length(v))
		svc_problem_add(errors, "slug", "must use only ASCII a-z, 0-9"
				" and '-'");
}

/* 1 when a PATCH changes nothing (then nothing is written, no audit
 * row). before borrowed, after stolen. */
int
svc_admin_unchanged(json_t *before, json_t *after)
{
	int same = after && json_equal(before, after);

	json_decref(after);
	return same;
}

enum MHD_Result
svc_admin_conflict(struct svc_request *req, const char *field,
		   const char *detail)
{
	json_t *e = json_array();
	char text[320];

	svc_problem_add(e, field, "%s", detail);
	snprintf(text, sizeof(text), "%s: %s", field, detail);
	return svc_problem(req, SVC_PROB_CONFLICT, text, e);
}
