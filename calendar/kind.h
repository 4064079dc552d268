/*
 * kind: the event kinds of the source document (项目路演, 创业沙龙, ...).
 */
#ifndef ROADSHOWD_KIND_H
#define ROADSHOWD_KIND_H

#include <stddef.h>

struct cal_kind {
	const char *slug;	/* API value: "roadshow" */
	const char *zh;		/* 项目路演 */
	const char *en;		/* Roadshow */
};

/* The seven kinds, in the document's order; CAL_KIND_COUNT entries. */
#define CAL_KIND_COUNT 7
extern const struct cal_kind cal_kinds[CAL_KIND_COUNT];

/* The kind named slug, or NULL. slug borrowed; the result is static. */
const struct cal_kind *cal_kind_find(const char *slug);

/*
 * The kind named name: its slug ("roadshow"), its Chinese name (项目路演) or
 * the short Chinese name people type (路演, 沙龙, 论坛, 培训, 研讨, 展览,
 * 大赛), or NULL. name borrowed; the result is static.
 */
const struct cal_kind *cal_kind_from_name(const char *name);

/*
 * 1 when kind (a slug) is one of the comma-separated slugs in kinds ("salon,
 * forum"; spaces around a slug ignored), else 0. Both borrowed; NULL is 0.
 */
int cal_kinds_contains(const char *kinds, const char *kind);

#endif
