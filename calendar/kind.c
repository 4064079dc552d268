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
