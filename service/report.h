/*
 * report: renderings of the cadence report (calendar/report.h builds it)
 * for GET /api/v1/cadence and `roadshowd cadence`: JSON, the matrix and
 * summary views, CSV and a text table.
 */
#ifndef ROADSHOWD_REPORT_H
#define ROADSHOWD_REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "../calendar/report.h"
#include "../db/db.h"

/* A rule's stored kinds "roadshow,salon" (borrowed) as the JSON list
 * ["roadshow", "salon"], the one shape every answer uses. New reference,
 * NULL when out of memory. */
json_t *svc_rule_kinds_json(const char *kinds);

/* A rule version as JSON {id, version, name, kinds (a list), period, min,
 * scope, active_from, active_to}; rule borrowed. New reference or NULL
 * when out of memory. */
json_t *svc_report_rule_json(const struct db_rule *rule);

/*
 * {year (or null), from, to, as_of, timezone, by, rules, periods: [...],
 * summary, tracking_since, public_view}; each period {rule, scope,
 * period, start, end, status, held, scheduled, min, events (unless
 * r->q.no_events; TENTATIVE ones left out for r->q.public_view),
 * days_left (at_risk only), held_late, tentative}. Times RFC 3339 in
 * Asia/Shanghai. r borrowed. New reference or NULL when out of memory.
 */
json_t *svc_report_json(const struct cal_report *r);

/* Matrix of one rule: {rule, periods: [labels], scopes: [{scope, cells:
 * [{period, status, held, scheduled}]}]}. r borrowed. New reference or
 * NULL when out of memory. */
json_t *svc_report_matrix_json(const struct cal_report *r);

/* {items: [...]}, one svc_report_group_summary() per rule and scope. r
 * borrowed. New reference or NULL when out of memory. */
json_t *svc_report_summary_json(const struct cal_report *r);

/* The summary of rows [i, j) of r->report (one rule and scope, i < j):
 * {rule, scope, periods, met, missed, at_risk, scheduled, open,
 * untracked, current_streak, longest_gap} (cal_report_group_summary()).
 * New reference or NULL. */
json_t *svc_report_group_summary(const struct cal_report *r, size_t i,
				 size_t j);

/* CSV (RFC 4180, CRLF) with a header row. Caller frees with free(); NULL
 * when out of memory. */
char *svc_report_csv(const struct cal_report *r);

/* The same rows for spreadsheets (Excel): a UTF-8 BOM, Chinese headers,
 * statuses and scope names, and held_late / tentative columns. Caller
 * frees with free(); NULL when out of memory. */
char *svc_report_csv_zh(const struct cal_report *r);

/* A text table (LF lines) ending with "missed: N". Caller frees with
 * free(); NULL when out of memory. */
char *svc_report_text(const struct cal_report *r);

#endif
