/*
 * check_report: the cadence report builder (calendar/report.h) and its renderings
 * (service/report.h) against a
 * real SQLite database (":memory:" through db_open(), so the migrations and
 * the annex seed with its three default rules run for every test), events
 * inserted with db_event_insert(), and every instant a literal (its local
 * time in Asia/Shanghai in the comment). Each behaviour is one TCase and
 * every value is asserted exactly.
 */
#include "check_util.h"
#include "report_fixture.h"

static const char *const months_2025[12] = {
	"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
	"2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
};

static const char *const regions[9] = {
	"wanzhou-jingkaiqu", "yudong-xinqu", "baianba", "pailou", "longdu",
	"shuanghekou", "gaosuntang", "jiuchi", "longju",
};

/* ===================== periods in the district zone ===================== */

/* 2025-01-01 00:10 +08:00 is still 2024-12-31 in UTC: it counts for
 * January 2025 and Q1 2025, never for December 2024 or Q4 2024. */
START_TEST(test_new_year_local)
{
	int64_t rs, salon;
	const struct cal_cadence_row *row;
	json_t *doc, *p, *evs;

	rs = add_event("ny-roadshow", "roadshow", T_2025_01_01_0010,
		       "pinghu-maker-space");
	salon = add_event("ny-salon", "salon", T_2025_01_01_0010, NULL);

	build_year(2025, T_2026_01_10, NULL, NULL);
	ck_assert_uint_eq(rep.report.n, 17);
	ck_assert_int_eq(rep.q.from_utc, T_2025_01_01);
	ck_assert_int_eq(rep.q.to_utc, T_2026_01_01);
	assert_month("2025-01", "met", 1, 0);
	assert_month("2025-02", "missed", 0, 0);
	assert_month("2025-12", "missed", 0, 0);
	assert_row("quarterly-event", "district", "2025-Q1", "met", 1, 0, 1);
	assert_row("quarterly-event", "district", "2025-Q4", "missed", 0, 0,
		   1);
	assert_row("yearly-competition", "district", "2025", "missed", 0, 0,
		   1);
	row = row_for("monthly-roadshow", "district", "2025-01");
	ck_assert_int_eq(row->start_utc, T_2025_01_01);
	ck_assert_int_eq(rep.occ[row->events[0]].event_id, rs);
	row = row_for("quarterly-event", "district", "2025-Q1");
	ck_assert_int_eq(rep.occ[row->events[0]].event_id, salon);
	ck_assert_uint_eq(cal_report_missed(&rep), 11 + 3 + 1);

	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	p = json_period(doc, "monthly-roadshow", "district", "2025-01");
	ck_assert_str_eq(jstr(p, "start"), "2025-01-01T00:00:00+08:00");
	ck_assert_str_eq(jstr(p, "end"), "2025-02-01T00:00:00+08:00");
	evs = json_object_get(p, "events");
	ck_assert_uint_eq(json_array_size(evs), 1);
	ck_assert_int_eq(jint(json_array_get(evs, 0), "id"), rs);
	ck_assert_str_eq(jstr(json_array_get(evs, 0), "start"),
			 "2025-01-01T00:10:00+08:00");
	json_decref(doc);

	/* The 2024 report does not see either event. */
	build_year(2024, T_2026_01_10, NULL, NULL);
	ck_assert_uint_eq(rep.report.n, 17);
	ck_assert_int_eq(rep.q.from_utc, T_2024_01_01);
	ck_assert_int_eq(rep.q.to_utc, T_2025_01_01);
	assert_row("monthly-roadshow", "district", "2024-12", "missed", 0, 0,
		   1);
	assert_row("quarterly-event", "district", "2024-Q4", "missed", 0, 0,
		   1);
	assert_row("yearly-competition", "district", "2024", "missed", 0, 0,
		   1);
	ck_assert_uint_eq(cal_report_missed(&rep), 17);
	ck_assert_uint_eq(rep.n_occ, 0);
}
END_TEST

/* 2025-03-31 23:59 +08:00 (15:59 UTC) is the last minute of March. */
START_TEST(test_march_last_minute)
{
	int64_t id;
	json_t *doc, *evs;

	id = add_event("march-last-minute", "roadshow", T_2025_03_31_2359,
		       "sanxia-tusstar");
	build_year(2025, T_2025_05_02, "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 12);
	assert_month("2025-02", "missed", 0, 0);
	assert_month("2025-03", "met", 1, 0);
	assert_month("2025-04", "missed", 0, 0);
	assert_month("2025-05", "at_risk", 0, 0);
	ck_assert_int_eq(rep.occ[row_for("monthly-roadshow", "district",
					 "2025-03")->events[0]].event_id, id);

	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	evs = json_object_get(json_period(doc, "monthly-roadshow",
					  "district", "2025-03"), "events");
	ck_assert_uint_eq(json_array_size(evs), 1);
	ck_assert_str_eq(jstr(json_array_get(evs, 0), "start"),
			 "2025-03-31T23:59:00+08:00");
	ck_assert_str_eq(jstr(json_array_get(evs, 0), "status"),
			 "CONFIRMED");
	json_decref(doc);

	/* As of the first instant of April the March event is held and
	 * April has just begun. */
	build_year(2025, T_2025_04_01, "monthly-roadshow", NULL);
	assert_month("2025-03", "met", 1, 0);
	assert_month("2025-04", "at_risk", 0, 0);
}
END_TEST

/* ============================ series ============================ */

/* FREQ=MONTHLY;COUNT=12 from 2025-01-15 10:00 +08:00. */
static void
series_init(struct db_event *ev)
{
	ev_init(ev, "monthly-series", "roadshow", T_2025_01_15_1000,
		"longteng-maker-space", "CONFIRMED");
	ev->rrule = xstrdup("FREQ=MONTHLY;COUNT=12");
}

START_TEST(test_series_cancelled_occurrence)
{
	struct db_event ev;
	int m;

	series_init(&ev);
	ev.exdates = malloc(sizeof(*ev.exdates));
	ck_assert_ptr_nonnull(ev.exdates);
	ev.exdates[0] = T_2025_05_15_1000;	/* cancel May */
	ev.n_exdates = 1;
	insert(&ev);

	/* Every month up to September has ended or been held. */
	build_year(2025, T_2025_10_01, "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 12);
	ck_assert_uint_eq(rep.n_occ, 11);
	for (m = 0; m < 9; m++) {
		if (m == 4)
			assert_month(months_2025[m], "missed", 0, 0);
		else
			assert_month(months_2025[m], "met", 1, 0);
	}
	for (m = 9; m < 12; m++)
		assert_month(months_2025[m], "scheduled", 0, 1);
	ck_assert_uint_eq(cal_report_missed(&rep), 1);

	/* The year over: still only May. */
	build_year(2025, T_2026_01_10, "monthly-roadshow", NULL);
	for (m = 0; m < 12; m++) {
		if (m == 4)
			assert_month(months_2025[m], "missed", 0, 0);
		else
			assert_month(months_2025[m], "met", 1, 0);
	}
	ck_assert_uint_eq(cal_report_missed(&rep), 1);

	/* The region of the host carrier (longju) sees the same. */
	build_year(2025, T_2026_01_10, "monthly-roadshow", "region");
	assert_row("monthly-roadshow", "region:longju", "2025-05", "missed",
		   0, 0, 1);
	assert_row("monthly-roadshow", "region:longju", "2025-06", "met", 1,
		   0, 1);
	assert_row("monthly-roadshow", "region:baianba", "2025-06", "missed",
		   0, 0, 1);
}
END_TEST

/* A RECURRENCE-ID override moving the June occurrence to 2 July. */
START_TEST(test_series_moved_occurrence)
{
	struct db_event ev;
	json_t *doc, *evs;
	int m;

	series_init(&ev);
	ev.overrides = calloc(1, sizeof(*ev.overrides));
	ck_assert_ptr_nonnull(ev.overrides);
	ev.overrides[0].recurrence_utc = T_2025_06_15_1000;
	ev.overrides[0].start_utc = T_2025_07_02_1000;
	ev.overrides[0].end_utc = T_2025_07_02_1000 + 2 * HOUR;
	ev.overrides[0].title = xstrdup("moved to July");
	ev.n_overrides = 1;
	insert(&ev);

	build_year(2025, T_2025_10_01, "monthly-roadshow", NULL);
	for (m = 0; m < 9; m++) {
		if (m == 5)
			assert_month(months_2025[m], "missed", 0, 0);
		else if (m == 6)
			assert_month(months_2025[m], "met", 2, 0);
		else
			assert_month(months_2025[m], "met", 1, 0);
	}
	for (m = 9; m < 12; m++)
		assert_month(months_2025[m], "scheduled", 0, 1);

	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	evs = json_object_get(json_period(doc, "monthly-roadshow",
					  "district", "2025-07"), "events");
	ck_assert_uint_eq(json_array_size(evs), 2);
	ck_assert_str_eq(jstr(json_array_get(evs, 0), "start"),
			 "2025-07-02T10:00:00+08:00");
	ck_assert_str_eq(jstr(json_array_get(evs, 0), "title"),
			 "moved to July");
	ck_assert_str_eq(jstr(json_array_get(evs, 1), "start"),
			 "2025-07-15T10:00:00+08:00");
	ck_assert_str_eq(jstr(json_array_get(evs, 1), "title"),
			 "monthly-series");
	ck_assert_uint_eq(json_array_size(json_object_get(json_period(doc,
		"monthly-roadshow", "district", "2025-06"), "events")), 0);
	json_decref(doc);

	/* Before 2 July the moved occurrence is scheduled in July. */
	build_year(2025, T_2025_07_01, "monthly-roadshow", NULL);
	assert_month("2025-06", "missed", 0, 0);
	assert_month("2025-07", "scheduled", 0, 2);
}
END_TEST

/* ====================== at_risk, then missed ====================== */

START_TEST(test_at_risk_then_missed)
{
	json_t *doc, *p;
	char *csv;

	/* One day before April ends. */
	build_year(2025, T_2025_04_30, "monthly-roadshow", NULL);
	assert_month("2025-03", "missed", 0, 0);
	assert_month("2025-04", "at_risk", 0, 0);
	assert_month("2025-05", "open", 0, 0);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	p = json_period(doc, "monthly-roadshow", "district", "2025-04");
	ck_assert_str_eq(jstr(p, "status"), "at_risk");
	ck_assert_int_eq(jint(p, "days_left"), 1);
	ck_assert_ptr_null(json_object_get(json_period(doc,
		"monthly-roadshow", "district", "2025-03"), "days_left"));
	ck_assert_ptr_null(json_object_get(json_period(doc,
		"monthly-roadshow", "district", "2025-05"), "days_left"));
	json_decref(doc);
	csv = svc_report_csv(&rep);
	ck_assert_ptr_nonnull(csv);
	ck_assert_ptr_nonnull(strstr(csv, "\r\nmonthly-roadshow,district,"
		"2025-04,2025-04-01T00:00:00+08:00,2025-05-01T00:00:00+08:00,"
		"at_risk,0,0,1,1\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\r\nmonthly-roadshow,district,"
		"2025-03,2025-03-01T00:00:00+08:00,2025-04-01T00:00:00+08:00,"
		"missed,0,0,1,\r\n"));
	free(csv);

	/* One day after April ended: missed, and May is at risk. */
	build_year(2025, T_2025_05_02, "monthly-roadshow", NULL);
	assert_month("2025-04", "missed", 0, 0);
	assert_month("2025-05", "at_risk", 0, 0);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	p = json_period(doc, "monthly-roadshow", "district", "2025-04");
	ck_assert_str_eq(jstr(p, "status"), "missed");
	ck_assert_ptr_null(json_object_get(p, "days_left"));
	ck_assert_int_eq(jint(json_period(doc, "monthly-roadshow",
					  "district", "2025-05"), "days_left"),
			 30);
	json_decref(doc);

	/* The last day of a quarter: March and Q1 both have one day left. */
	build_year(2025, T_2025_03_31, NULL, NULL);
	assert_row("quarterly-event", "district", "2025-Q1", "at_risk", 0, 0,
		   1);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(jint(json_period(doc, "monthly-roadshow",
					  "district", "2025-03"), "days_left"),
			 1);
	ck_assert_int_eq(jint(json_period(doc, "quarterly-event",
					  "district", "2025-Q1"), "days_left"),
			 1);
	/* 2025-03-31 .. 2026-01-01 */
	ck_assert_int_eq(jint(json_period(doc, "yearly-competition",
					  "district", "2025"), "days_left"),
			 276);
	json_decref(doc);
	build_year(2025, T_2025_04_01 + DAY, NULL, NULL);
	assert_row("quarterly-event", "district", "2025-Q1", "missed", 0, 0,
		   1);
}
END_TEST

/* ======================= versioned rules ======================= */

START_TEST(test_rule_change_keeps_past)
{
	struct db_rule r;
	enum cal_cadence_status before[12];
	struct cal_report_query q;
	json_t *doc;
	size_t i;

	add_event("rs-2024-01", "roadshow", T_2024_01_10_1000, NULL);
	add_event("rs-2024-02", "roadshow", T_2024_02_10_1000, NULL);
	add_event("rs-2024-03", "roadshow", T_2024_03_10_1000, NULL);
	add_event("rs-2025-01", "roadshow", T_2025_01_15_1000, NULL);
	add_event("rs-2025-02a", "roadshow", T_2025_02_10_1000, NULL);
	add_event("rs-2025-02b", "roadshow", T_2025_02_20_1000,
		  "pinghu-maker-space");

	build_year(2024, T_2025_07_01, "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 12);
	for (i = 0; i < 12; i++)
		before[i] = rep.report.rows[i].status;
	assert_row("monthly-roadshow", "district", "2024-01", "met", 1, 0, 1);
	assert_row("monthly-roadshow", "district", "2024-04", "missed", 0, 0,
		   1);
	build_year(2025, T_2025_07_01, "monthly-roadshow", NULL);
	assert_month("2025-01", "met", 1, 0);

	/* min 2 from 2025 on */
	memset(&r, 0, sizeof(r));
	r.name = (char *)"月月有路演（两场）";
	r.kinds = (char *)"roadshow";
	r.period = (char *)"month";
	r.min_count = 2;
	r.scope = (char *)"district";
	ck_assert_int_eq(db_rule_change(db, "monthly-roadshow", &r,
					"2025-01-01", "test", NOW), 0);

	build_year(2024, T_2025_07_01, "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 12);
	for (i = 0; i < 12; i++) {
		const struct cal_cadence_row *row = &rep.report.rows[i];

		ck_assert_int_eq(row->status, before[i]);
		ck_assert_int_eq(cal_report_rule(&rep, row)->min_count, 1);
		ck_assert_int_eq(row->held, i < 3 ? 1 : 0);
	}
	assert_row("monthly-roadshow", "district", "2024-03", "met", 1, 0, 1);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(jint(json_period(doc, "monthly-roadshow",
					  "district", "2024-06"), "min"), 1);
	json_decref(doc);

	build_year(2025, T_2025_07_01, "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 12);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(cal_report_rule(&rep,
				 &rep.report.rows[i])->min_count, 2);
	assert_row("monthly-roadshow", "district", "2025-01", "missed", 1, 0,
		   2);
	assert_row("monthly-roadshow", "district", "2025-02", "met", 2, 0, 2);
	assert_row("monthly-roadshow", "district", "2025-06", "missed", 0, 0,
		   2);
	assert_row("monthly-roadshow", "district", "2025-07", "at_risk", 0, 0,
		   2);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(jint(json_period(doc, "monthly-roadshow",
					  "district", "2025-02"), "min"), 2);
	json_decref(doc);

	/* A range over both years: each period judged by its version. */
	cal_report_release(&rep);
	memset(&q, 0, sizeof(q));
	q.from_utc = T_2024_01_01;
	q.to_utc = T_2026_01_01;
	q.as_of_utc = T_2025_07_01;
	q.rule_id = "monthly-roadshow";
	ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
	ck_assert_uint_eq(rep.report.n, 24);
	for (i = 0; i < 24; i++)
		ck_assert_int_eq(cal_report_rule(&rep,
				 &rep.report.rows[i])->min_count,
				 i < 12 ? 1 : 2);
	ck_assert_str_eq(rep.report.rows[0].period, "2024-01");
	ck_assert_str_eq(rep.report.rows[23].period, "2025-12");
	assert_row("monthly-roadshow", "district", "2024-01", "met", 1, 0, 1);
	assert_row("monthly-roadshow", "district", "2025-01", "missed", 1, 0,
		   2);
	assert_row("monthly-roadshow", "district", "2025-02", "met", 2, 0, 2);
}
END_TEST

START_TEST(test_retired_rule)
{
	add_event("q1-salon", "salon", T_2025_02_20_1000, NULL);
	ck_assert_int_eq(db_rule_retire(db, "quarterly-event", "2025-07-01",
					"test", NOW), 0);
	ck_assert_int_eq(db_rule_retire(db, "yearly-competition",
					"2025-01-01", "test", NOW), 0);

	build_year(2025, T_2025_10_01, NULL, NULL);
	ck_assert_uint_eq(rows_of("monthly-roadshow"), 12);
	ck_assert_uint_eq(rows_of("quarterly-event"), 2);
	ck_assert_uint_eq(rows_of("yearly-competition"), 0);
	ck_assert_uint_eq(rep.report.n, 14);
	assert_row("quarterly-event", "district", "2025-Q1", "met", 1, 0, 1);
	assert_row("quarterly-event", "district", "2025-Q2", "missed", 0, 0,
		   1);

	build_year(2026, T_2025_10_01, NULL, NULL);
	ck_assert_uint_eq(rows_of("quarterly-event"), 0);
	ck_assert_uint_eq(rows_of("yearly-competition"), 0);
	ck_assert_uint_eq(rep.report.n, 12);

	/* Before the retirement the rules were there. */
	build_year(2024, T_2025_10_01, NULL, NULL);
	ck_assert_uint_eq(rows_of("quarterly-event"), 4);
	ck_assert_uint_eq(rows_of("yearly-competition"), 1);
	ck_assert_uint_eq(rep.report.n, 17);

	/* Asking for the retired rule by id gives it, with no rows. */
	build_year(2026, T_2025_10_01, "yearly-competition", NULL);
	ck_assert_uint_eq(rep.report.n, 0);
}
END_TEST

/* ============================ scopes ============================ */

START_TEST(test_by_region)
{
	struct cal_report_query q;
	size_t i;

	add_event("pinghu-march", "roadshow", T_2025_03_31_2359,
		  "pinghu-maker-space");		/* wanzhou-jingkaiqu */
	add_event("longteng-march", "roadshow", T_2025_02_20_1000 + 30 * DAY,
		  "longteng-maker-space");		/* longju, 03-22 */
	add_event("district-april", "roadshow", T_2025_04_30, NULL);

	build_year(2025, T_2025_05_02, "monthly-roadshow", "region");
	ck_assert_uint_eq(rep.report.n, 9 * 12);
	for (i = 0; i < rep.report.n; i++) {
		const struct cal_cadence_row *row = &rep.report.rows[i];
		char scope[96];

		snprintf(scope, sizeof(scope), "region:%s", regions[i / 12]);
		ck_assert_str_eq(row->scope, scope);
		ck_assert_str_eq(row->period, months_2025[i % 12]);
	}
	/* 9 rows per period */
	for (i = 0; i < 12; i++) {
		size_t k, n = 0;

		for (k = 0; k < rep.report.n; k++)
			n += strcmp(rep.report.rows[k].period,
				    months_2025[i]) == 0;
		ck_assert_uint_eq(n, 9);
	}
	assert_row("monthly-roadshow", "region:wanzhou-jingkaiqu", "2025-03",
		   "met", 1, 0, 1);
	assert_row("monthly-roadshow", "region:longju", "2025-03", "met", 1,
		   0, 1);
	assert_row("monthly-roadshow", "region:baianba", "2025-03", "missed",
		   0, 0, 1);
	/* the district's own event counts for no region */
	for (i = 0; i < 9; i++) {
		char scope[96];

		snprintf(scope, sizeof(scope), "region:%s", regions[i]);
		assert_row("monthly-roadshow", scope, "2025-04", "missed", 0,
			   0, 1);
		assert_row("monthly-roadshow", scope, "2025-05", "at_risk", 0,
			   0, 1);
	}

	/* Every rule by region: 9 x (12 + 4 + 1). */
	build_year(2025, T_2025_05_02, NULL, "region");
	ck_assert_uint_eq(rep.report.n, 9 * 17);
	ck_assert_uint_eq(rows_of("quarterly-event"), 36);
	/* by carrier: 22 carriers; by partner: 4 partner regions */
	build_year(2025, T_2025_05_02, "yearly-competition", "carrier");
	ck_assert_uint_eq(rep.report.n, 22);
	ck_assert_str_eq(rep.report.rows[0].scope,
			 "carrier:pinghu-maker-space");
	build_year(2025, T_2025_05_02, "yearly-competition", "partner");
	ck_assert_uint_eq(rep.report.n, 4);
	ck_assert_str_eq(rep.report.rows[0].scope, "partner:dazhou");

	/* Bad queries. */
	cal_report_release(&rep);
	ck_assert_int_eq(cal_report_query_year(&q, 2025), 0);
	q.as_of_utc = T_2025_05_02;
	q.by = "city";
	ck_assert_int_eq(cal_report_build(db, &q, &rep), -EINVAL);
	q.by = NULL;
	q.rule_id = "weekly-roadshow";
	ck_assert_int_eq(cal_report_build(db, &q, &rep), -ENOENT);
	q.rule_id = NULL;
	q.to_utc = q.from_utc;
	ck_assert_int_eq(cal_report_build(db, &q, &rep), -EINVAL);
	ck_assert_int_eq(cal_report_query_year(&q, 1969), -EINVAL);
	ck_assert_int_eq(cal_report_query_year(&q, 10000), -EINVAL);
	ck_assert_int_eq(cal_report_query_year(&q, 0), -EINVAL);
}
END_TEST

/* ======================= from/to ranges ======================= */

/*
 * A report over part of a year lists the periods that start in [from, to);
 * a period that runs past `to` (Q1 and the year 2025 in a January report)
 * must still be judged on all of its occurrences: every row of a range
 * report equals the same row of the year report.
 */
/* =================== JSON, CSV and text agree =================== */

static size_t
split(char *s, const char *sep, char **out, size_t max)
{
	size_t n = 0, len = strlen(sep);
	char *p = s, *q;

	while (n < max) {
		out[n++] = p;
		q = strstr(p, sep);
		if (!q)
			break;
		*q = '\0';
		p = q + len;
	}
	return n;
}

START_TEST(test_views_agree)
{
	json_t *doc, *periods, *p, *summary, *matrix, *item;
	char *csv, *text, *lines[64], *fields[16];
	char rule[64], scope[96], period[16], status[16], extra[64];
	long long held, sched, min, left;
	size_t i, n_lines, n_fields;
	int seen[5] = { 0 };

	/* As of 2025-04-30 00:00: January met, February missed, March met
	 * (its last minute), April at risk, May scheduled (TENTATIVE ahead),
	 * June open. */
	add_event("jan", "roadshow", T_2025_01_15_1000, "pinghu-maker-space");
	add_event("mar", "roadshow", T_2025_03_31_2359, NULL);
	add_event_status("may-tentative", "roadshow", T_2025_05_15_1000,
			 "TENTATIVE");
	add_event_status("jun-cancelled", "roadshow", T_2025_06_15_1000,
			 "CANCELLED");
	add_event("q1-salon", "salon", T_2025_02_20_1000, NULL);
	build_year(2025, T_2025_04_30, NULL, NULL);
	ck_assert_uint_eq(rep.report.n, 17);
	assert_month("2025-01", "met", 1, 0);
	assert_month("2025-02", "missed", 0, 0);
	assert_month("2025-03", "met", 1, 0);
	assert_month("2025-04", "at_risk", 0, 0);
	assert_month("2025-05", "scheduled", 0, 1);
	assert_month("2025-06", "open", 0, 0);
	assert_row("quarterly-event", "district", "2025-Q1", "met", 1, 0, 1);
	assert_row("quarterly-event", "district", "2025-Q2", "at_risk", 0, 0,
		   1);
	assert_row("yearly-competition", "district", "2025", "at_risk", 0, 0,
		   1);

	doc = svc_report_json(&rep);
	csv = svc_report_csv(&rep);
	text = svc_report_text(&rep);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(csv);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(jint(doc, "year"), 2025);
	ck_assert_str_eq(jstr(doc, "as_of"), "2025-04-30T00:00:00+08:00");
	ck_assert_str_eq(jstr(doc, "timezone"), "Asia/Shanghai");
	periods = json_object_get(doc, "periods");
	ck_assert_uint_eq(json_array_size(periods), 17);
	summary = json_object_get(doc, "summary");
	ck_assert_int_eq(jint(summary, "met"), 3);
	ck_assert_int_eq(jint(summary, "scheduled"), 1);
	ck_assert_int_eq(jint(summary, "at_risk"), 3);
	ck_assert_int_eq(jint(summary, "missed"), 1);
	ck_assert_int_eq(jint(summary, "open"), 9);

	/* CSV: header, 17 rows, a final CRLF. */
	n_lines = split(csv, "\r\n", lines, 64);
	ck_assert_uint_eq(n_lines, 19);
	ck_assert_str_eq(lines[0], "rule,scope,period,start,end,status,held,"
			 "scheduled,min,days_left");
	ck_assert_str_eq(lines[18], "");
	/* text: title, header, 17 rows, "missed: 1", "" */
	{
		char *tl[64];
		size_t nt = split(text, "\n", tl, 64);

		ck_assert_uint_eq(nt, 21);
		ck_assert_str_eq(tl[0], "cadence 2025-01-01T00:00:00+08:00 .. "
				 "2026-01-01T00:00:00+08:00 as of "
				 "2025-04-30T00:00:00+08:00 (Asia/Shanghai)");
		ck_assert_str_eq(tl[19], "missed: 1");
		ck_assert_str_eq(tl[20], "");
		for (i = 0; i < 17; i++) {
			const char *days;

			p = json_array_get(periods, i);
			/* the text row */
			extra[0] = '\0';
			ck_assert_int_ge(sscanf(tl[i + 2],
				"%63s %95s %15s %15s %lld %lld %lld %63[^\n]",
				rule, scope, period, status, &held, &sched,
				&min, extra), 7);
			ck_assert_str_eq(rule, jstr(p, "rule"));
			ck_assert_str_eq(scope, jstr(p, "scope"));
			ck_assert_str_eq(period, jstr(p, "period"));
			ck_assert_str_eq(status, jstr(p, "status"));
			ck_assert_int_eq(held, jint(p, "held"));
			ck_assert_int_eq(sched, jint(p, "scheduled"));
			ck_assert_int_eq(min, jint(p, "min"));
			if (json_object_get(p, "days_left")) {
				ck_assert_int_eq(sscanf(extra, "%lld days left",
							&left), 1);
				ck_assert_int_eq(left, jint(p, "days_left"));
			} else {
				ck_assert_str_eq(extra, "");
			}
			/* the CSV row */
			n_fields = split(lines[i + 1], ",", fields, 16);
			ck_assert_uint_eq(n_fields, 10);
			ck_assert_str_eq(fields[0], jstr(p, "rule"));
			ck_assert_str_eq(fields[1], jstr(p, "scope"));
			ck_assert_str_eq(fields[2], jstr(p, "period"));
			ck_assert_str_eq(fields[3], jstr(p, "start"));
			ck_assert_str_eq(fields[4], jstr(p, "end"));
			ck_assert_str_eq(fields[5], jstr(p, "status"));
			ck_assert_int_eq(atoll(fields[6]), jint(p, "held"));
			ck_assert_int_eq(atoll(fields[7]),
					 jint(p, "scheduled"));
			ck_assert_int_eq(atoll(fields[8]), jint(p, "min"));
			days = fields[9];
			if (json_object_get(p, "days_left"))
				ck_assert_int_eq(atoll(days),
						 jint(p, "days_left"));
			else
				ck_assert_str_eq(days, "");
			/* the row behind both */
			ck_assert_str_eq(status, cal_cadence_status_name(
				rep.report.rows[i].status));
			seen[rep.report.rows[i].status] = 1;
		}
	}
	for (i = 0; i < 5; i++)
		ck_assert_msg(seen[i], "status %s not exercised",
			      cal_cadence_status_name(
				      (enum cal_cadence_status)i));
	ck_assert_int_eq(jint(json_period(doc, "monthly-roadshow",
					  "district", "2025-04"), "days_left"),
			 1);
	ck_assert_int_eq(jint(json_period(doc, "quarterly-event", "district",
					  "2025-Q2"), "days_left"), 62);
	ck_assert_int_eq(jint(json_period(doc, "yearly-competition",
					  "district", "2025"), "days_left"),
			 246);
	json_decref(doc);
	free(csv);
	free(text);

	/* Summary: per rule and scope. */
	summary = svc_report_summary_json(&rep);
	ck_assert_ptr_nonnull(summary);
	ck_assert_uint_eq(json_array_size(json_object_get(summary, "items")),
			  3);
	item = json_array_get(json_object_get(summary, "items"), 0);
	ck_assert_str_eq(jstr(item, "rule"), "monthly-roadshow");
	ck_assert_str_eq(jstr(item, "scope"), "district");
	ck_assert_int_eq(jint(item, "periods"), 12);
	ck_assert_int_eq(jint(item, "met"), 2);
	ck_assert_int_eq(jint(item, "missed"), 1);
	ck_assert_int_eq(jint(item, "at_risk"), 1);
	ck_assert_int_eq(jint(item, "scheduled"), 1);
	ck_assert_int_eq(jint(item, "open"), 7);
	ck_assert_int_eq(jint(item, "current_streak"), 1);
	ck_assert_int_eq(jint(item, "longest_gap"), 1);
	json_decref(summary);

	/* Matrix of one rule. */
	build_year(2025, T_2025_04_30, "monthly-roadshow", "region");
	matrix = svc_report_matrix_json(&rep);
	ck_assert_ptr_nonnull(matrix);
	ck_assert_str_eq(jstr(matrix, "rule"), "monthly-roadshow");
	ck_assert_uint_eq(json_array_size(json_object_get(matrix, "periods")),
			  12);
	ck_assert_uint_eq(json_array_size(json_object_get(matrix, "scopes")),
			  9);
	item = json_array_get(json_object_get(matrix, "scopes"), 0);
	ck_assert_str_eq(jstr(item, "scope"), "region:wanzhou-jingkaiqu");
	ck_assert_uint_eq(json_array_size(json_object_get(item, "cells")), 12);
	p = json_array_get(json_object_get(item, "cells"), 0);
	ck_assert_str_eq(jstr(p, "period"), "2025-01");
	ck_assert_str_eq(jstr(p, "status"), "met");
	ck_assert_int_eq(jint(p, "held"), 1);
	p = json_array_get(json_object_get(item, "cells"), 2);
	ck_assert_str_eq(jstr(p, "status"), "missed");
	json_decref(matrix);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");

	ck_add(s, "new_year_local", test_new_year_local, setup, teardown);
	ck_add(s, "march_last_minute", test_march_last_minute, setup,
	       teardown);
	ck_add(s, "series_cancelled_occurrence",
	       test_series_cancelled_occurrence, setup, teardown);
	ck_add(s, "series_moved_occurrence", test_series_moved_occurrence,
	       setup, teardown);
	ck_add(s, "at_risk_then_missed", test_at_risk_then_missed, setup,
	       teardown);
	ck_add(s, "rule_change_keeps_past", test_rule_change_keeps_past, setup,
	       teardown);
	ck_add(s, "retired_rule", test_retired_rule, setup, teardown);
	ck_add(s, "by_region", test_by_region, setup, teardown);
	ck_add(s, "views_agree", test_views_agree, setup, teardown);
	return s;
}

int
main(void)
{
	int rc;

	cal_init();
	rc = ck_main(report_suite());
	icaltimezone_free_builtin_timezones();	/* quiet valgrind */
	return rc;
}
