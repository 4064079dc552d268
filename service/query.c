/*
 * query.c: query arguments with list values (svc.h svc_query_kinds()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../calendar/kind.h"
#include "svc.h"

struct kinds_ctx {
	unsigned int mask;		/* bit i: cal_kinds[i] asked for */
	json_t *errors;
	int bad;
};

/* Add the kinds of one kind= value (a comma list) to ctx. */
static void
add_kinds(struct kinds_ctx *ctx, const char *value)
{
	char one[128];
	const char *p = value, *end;
	const struct cal_kind *k;

	do {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		snprintf(one, sizeof(one), "%.*s", (int)(end - p), p);
		k = cal_kind_from_name(one);
		if (!k) {
			svc_problem_add(ctx->errors, "kind", "'%s' is not an"
					" event kind", one);
			ctx->bad = 1;
		} else {
			ctx->mask |= 1u << (k - cal_kinds);
		}
		p = end + 1;
	} while (*end);
}

static enum MHD_Result
each_kind(void *cls, enum MHD_ValueKind kind, const char *key,
	  const char *value)
{
	(void)kind;
	if (strcmp(key, "kind") == 0)
		add_kinds(cls, value ? value : "");
	return MHD_YES;
}

int
svc_query_kinds(struct svc_request *req, char *out, size_t size,
		json_t *errors)
{
	struct kinds_ctx ctx = { 0, errors, 0 };
	const char *const *p;
	size_t i, len = 0;

	*out = '\0';
	if (req->conn)
		MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
					  each_kind, &ctx);
	else
		for (p = req->fake_query; p && p[0]; p += 2)
			each_kind(&ctx, MHD_GET_ARGUMENT_KIND, p[0], p[1]);
	if (ctx.bad)
		return -EINVAL;
	for (i = 0; i < CAL_KIND_COUNT; i++) {
		if (!(ctx.mask & (1u << i)))
			continue;
		len += snprintf(out + len, len < size ? size - len : 0, "%s%s",
				len ? "," : "", cal_kinds[i].slug);
	}
	if (len >= size)
		return -EINVAL;		/* out too small: a caller's bug */
	return ctx.mask ? 1 : 0;
}
