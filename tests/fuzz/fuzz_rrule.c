/*
 * fuzz_rrule: RRULE validation (cal_rrule_validate(), with the work
 * budget) and, for a rule that passes, the proof of its whole series
 * (cal_rrule_check_series()) and one expansion window.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../calendar/caltime.h"
#include "../../calendar/recur.h"
#include "../../calendar/rrule_budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct db_event ev;
	char rule[600], why[200];
	int64_t *starts = NULL;
	size_t n = 0;

	if (!ready) {
		cal_init();
		ready = 1;
	}
	if (size >= sizeof(rule))
		return 0;
	memcpy(rule, data, size);
	rule[size] = '\0';
	if (cal_rrule_validate(rule, why, sizeof(why)) != 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.uid = (char *)"fuzz@roadshowd";
	ev.tzid = (char *)"Asia/Shanghai";
	ev.status = (char *)"CONFIRMED";
	ev.title = (char *)"fuzz";
	ev.kind = (char *)"roadshow";
	ev.rrule = rule;
	ev.start_utc = 1740810600;	/* 2025-03-01T14:30:00+08:00 */
	ev.end_utc = ev.start_utc + 7200;
	if (cal_rrule_check_series(&ev, why, sizeof(why)) != 0)
		return 0;
	if (cal_recur_expand(&ev, ev.start_utc, ev.start_utc + 86400 * 400,
			     CAL_RECUR_MAX_OCCURRENCES, &starts, &n) == 0)
		free(starts);
	return 0;
}
