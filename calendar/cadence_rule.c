/*
 * cadence_rule.c: period rounding and the time rules of changing a
 * cadence rule (see cadence_rule.h).
 */
#include <errno.h>
#include <string.h>

#include "cadence_rule.h"
#include "caltime.h"

void
cal_period_start_date(enum cal_period_unit u, int y, int m, int next,
		      char out[11])
{
	int months = cal_period_months(u);
	int idx;

	if (months == 0)
		months = 1;
	idx = (m - 1) / months * months + next * months;
	y += idx / 12;
	m = idx % 12 + 1;
	cal_date_format(y, m, 1, out);
}

int
cal_period_start_of_utc(enum cal_period_unit u, int64_t t, int next,
			char out[11])
{
	int y, m, d, hh, mm, ss;

	out[0] = '\0';
	if (cal_utc_to_local(t, CAL_DISTRICT_TZID, &y, &m, &d, &hh, &mm,
			     &ss) != 0)
		return -EINVAL;
	cal_period_start_date(u, y, m, next, out);
	return 0;
}

int
cal_period_round_date(enum cal_period_unit u, const char *date, char out[11])
{
	int y, m, d;

	out[0] = '\0';
	if (cal_date_parse(date, &y, &m, &d) != 0)
		return -EINVAL;
	cal_period_start_date(u, y, m, 0, out);
	return 0;
}

enum cal_period_unit
cal_rule_unit(const struct db_rule *r)
{
	enum cal_period_unit u = CAL_PERIOD_MONTH;

	if (r)
		(void)cal_period_unit_parse(r->period, &u);
	return u;
}

int
cal_rule_change_from_ok(const struct db_rule *live, enum cal_period_unit u,
			const char *from, int64_t now_utc, char earliest[11],
			int *scheduled)
{
	char current[11];

	(void)cal_period_start_of_utc(u, now_utc, 0, current);
	*scheduled = live->active_from &&
		     strcmp(live->active_from, current) > 0;
	memcpy(earliest, *scheduled ? live->active_from : current, 11);
	earliest[10] = '\0';
	return !(strcmp(from, current) < 0 ||
		 (live->active_from && strcmp(from, live->active_from) < 0));
}
