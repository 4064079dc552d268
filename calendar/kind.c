/*
 * kind.c: the event kinds (kind.h): slugs, Chinese names, and reading a
 * kind from either.
 */
#include <string.h>

#include "kind.h"

const struct cal_kind cal_kinds[CAL_KIND_COUNT] = {
	{ "roadshow", "项目路演", "Roadshow" },
	{ "salon", "创业沙龙", "Salon" },
	{ "forum", "主题论坛", "Forum" },
	{ "training", "创业培训", "Training" },
	{ "seminar", "学术研讨", "Seminar" },
	{ "exhibition", "成果展览", "Exhibition" },
	{ "competition", "大赛", "Competition" },
};

const struct cal_kind *
cal_kind_find(const char *slug)
{
	size_t i;

	if (!slug)
		return NULL;
	for (i = 0; i < CAL_KIND_COUNT; i++)
		if (strcmp(cal_kinds[i].slug, slug) == 0)
			return &cal_kinds[i];
	return NULL;
}

/* The short names, in cal_kinds[] order. */
static const char *const short_zh[CAL_KIND_COUNT] = {
	"路演", "沙龙", "论坛", "培训", "研讨", "展览", "大赛",
};

const struct cal_kind *
cal_kind_from_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < CAL_KIND_COUNT; i++)
		if (strcmp(cal_kinds[i].slug, name) == 0 ||
		    strcmp(cal_kinds[i].zh, name) == 0 ||
		    strcmp(short_zh[i], name) == 0)
			return &cal_kinds[i];
	return NULL;
}

int
cal_kinds_contains(const char *kinds, const char *kind)
{
	const char *p = kinds;
	size_t n;

	if (!kinds || !kind)
		return 0;
	n = strlen(kind);
	while (p && *p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, kind, n) == 0 && (p[n] == ',' || p[n] == ' ' ||
						 p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}
