/*
 * Unit tests for calendar/event_ics.c: the iCalendar feed renderer.
 * Assertions are on exact lines of the rendered text, and on what libical
 * makes of the text when it parses it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libical/ical.h>

#include "../calendar/caltime.h"
#include "../calendar/event_ics.h"
#include "check_util.h"

/* 120 Chinese characters (3 octets each in UTF-8), no spaces. */
#define LONG_TITLE_UNIT "万州区创新创业项目路演"	/* 11 characters */
#define LONG_TITLE \
	LONG_TITLE_UNIT LONG_TITLE_UNIT LONG_TITLE_UNIT LONG_TITLE_UNIT \
	LONG_TITLE_UNIT LONG_TITLE_UNIT LONG_TITLE_UNIT LONG_TITLE_UNIT \
	LONG_TITLE_UNIT LONG_TITLE_UNIT "孵化载体大赛决赛十强"

static const struct cal_feed_opts feed_opts = {
	.name = "万州区创新活动",
	.description = "月月有路演，季季有活动，年年有大赛",
	.mark_cancelled = 0,
	.refresh_minutes = 0,
};

/* A timed roadshow, 2025-03-01 00:30-02:30 +08:00. */
static void
base_event(struct db_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 1;
	ev->uid = (char *)"e1@roadshowd";
	ev->kind = (char *)"roadshow";
	ev->title = (char *)"项目路演";
	ev->start_utc = 1740760200;		/* 2025-02-28T16:30:00Z */
	ev->end_utc = 1740767400;		/* 2025-02-28T18:30:00Z */
	ev->tzid = (char *)"Asia/Shanghai";
	ev->status = (char *)"CONFIRMED";
	ev->sequence = 3;
	ev->created_utc = 1739000000;		/* 2025-02-08T07:33:20Z */
	ev->modified_utc = 1740000000;		/* 2025-02-19T21:20:00Z */
}

static char *
render(const struct db_event *ev, size_t n, const struct cal_feed_opts *o)
{
	char *text = cal_feed_render(ev, n, o);

	ck_assert_ptr_nonnull(text);
	return text;
}

static char *
render_one(const struct db_event *ev)
{
	return render(ev, 1, &feed_opts);
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

#define ck_assert_has(text, needle) \
	ck_assert_msg(strstr((text), (needle)) != NULL, \
		      "missing %s in:\n%s", (needle), (text))
#define ck_assert_hasnt(text, needle) \
	ck_assert_msg(strstr((text), (needle)) == NULL, \
		      "unexpected %s in:\n%s", (needle), (text))

/* needle a occurs in text, and before the first b. */
#define ck_assert_before(text, a, b) do { \
	const char *pa_ = strstr((text), (a)); \
	const char *pb_ = strstr((text), (b)); \
	ck_assert_msg(pa_ && pb_ && pa_ < pb_, "%s not before %s in:\n%s", \
		      (a), (b), (text)); \
} while (0)

/* 1 when s[0..len) is well-formed UTF-8 (RFC 3629), else 0. */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, k, need;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
		} else {
			return 0;
		}
		if (i + need >= len)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * Every physical line ends in CRLF, holds no other CR or LF, is at most
 * 75 octets (RFC 5545 §3.1) and is valid UTF-8 on its own, so no fold
 * split a character.
 */
static void
assert_lines_ok(const char *text)
{
	const char *p = text;
	int lineno = 1;

	ck_assert_int_gt(strlen(text), 0);
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		size_t len;

		ck_assert_msg(eol != NULL, "line %d has no CRLF", lineno);
		len = (size_t)(eol - p);
		ck_assert_msg(memchr(p, '\r', len) == NULL &&
			      memchr(p, '\n', len) == NULL,
			      "bare CR or LF in line %d", lineno);
		ck_assert_msg(len <= 75, "line %d is %zu octets: %.*s",
			      lineno, len, (int)len, p);
		ck_assert_msg(utf8_valid((const unsigned char *)p, len),
			      "line %d is not valid UTF-8: %.*s", lineno,
			      (int)len, p);
		p = eol + 2;
		lineno++;
	}
}

/* RFC 5545 §3.1 unfolding: drop every CRLF followed by one space or tab. */
static char *
unfold(const char *text)
{
	char *out = malloc(strlen(text) + 1);
	char *q = out;
	const char *p;

	ck_assert_ptr_nonnull(out);
	for (p = text; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' &&
		    (p[2] == ' ' || p[2] == '\t')) {
			p += 2;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	return out;
}

/* The text from "BEGIN:<name>" through "END:<name>\r\n" (the first one). */
static char *
block(const char *text, const char *name)
{
	char begin[64], end[64];
	const char *b, *e;
	char *out;

	snprintf(begin, sizeof(begin), "BEGIN:%s\r\n", name);
	snprintf(end, sizeof(end), "END:%s\r\n", name);
	b = strstr(text, begin);
	ck_assert_ptr_nonnull(b);
	e = strstr(b, end);
	ck_assert_ptr_nonnull(e);
	e += strlen(end);
	out = malloc((size_t)(e - b) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, b, (size_t)(e - b));
	out[e - b] = '\0';
	return out;
}

START_TEST(test_calendar_exact_empty_feed)
{
	char *text = render(NULL, 0, &feed_opts);

	ck_assert_str_eq(text,
		"BEGIN:VCALENDAR\r\n"
		"VERSION:2.0\r\n"
		"PRODID:-//roadshowd//roadshowd 1.0//ZH\r\n"
		"CALSCALE:GREGORIAN\r\n"
		"METHOD:PUBLISH\r\n"
		"X-WR-CALNAME:万州区创新活动\r\n"
		"NAME:万州区创新活动\r\n"
		"X-WR-CALDESC:月月有路演，季季有活动，年年有大赛\r\n"
		"DESCRIPTION:月月有路演，季季有活动，年年有大赛\r\n"
		"X-WR-TIMEZONE:Asia/Shanghai\r\n"
		"REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"
		"X-PUBLISHED-TTL:PT60M\r\n"
		/* RFC 5545 §3.6: at least one component. */
		"BEGIN:VTIMEZONE\r\n"
		"TZID:Asia/Shanghai\r\n"
		"X-LIC-LOCATION:Asia/Shanghai\r\n"
		"BEGIN:STANDARD\r\n"
		"TZNAME:CST\r\n"
		"TZOFFSETFROM:+0800\r\n"
		"TZOFFSETTO:+0800\r\n"
		"DTSTART:20190101T080000\r\n"
		"END:STANDARD\r\n"
		"END:VTIMEZONE\r\n"
		"END:VCALENDAR\r\n");
	free(text);
}
END_TEST

START_TEST(test_calendar_refresh_and_optional_names)
{
	struct cal_feed_opts o = { .refresh_minutes = 15 };
	char *text = render(NULL, 0, &o);

	ck_assert_has(text, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n");
	ck_assert_has(text, "\r\nX-PUBLISHED-TTL:PT15M\r\n");
	ck_assert_hasnt(text, "X-WR-CALNAME");
	ck_assert_hasnt(text, "\r\nNAME");
	ck_assert_hasnt(text, "X-WR-CALDESC");
	ck_assert_hasnt(text, "\r\nDESCRIPTION");
	ck_assert_has(text, "\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n");
	free(text);

	text = render(NULL, 0, NULL);		/* NULL options: defaults */
	ck_assert_has(text, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n");
	ck_assert_has(text, "\r\nX-PUBLISHED-TTL:PT60M\r\n");
	/* No event: the district's zone keeps the calendar non-empty. */
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 1);
	free(text);
}
END_TEST

START_TEST(test_vevent_exact)
{
	struct db_event ev;
	char *text, *vev;

	base_event(&ev);
	ev.description = (char *)"路演项目十个";
	ev.venue = (char *)"万州经开区孵化园";
	ev.url = (char *)"https://example.org/e/1?a=1,2;b";
	text = render_one(&ev);
	vev = block(text, "VEVENT");
	ck_assert_str_eq(vev,
		"BEGIN:VEVENT\r\n"
		"UID:e1@roadshowd\r\n"
		"DTSTAMP:20250219T212000Z\r\n"
		"CREATED:20250208T073320Z\r\n"
		"LAST-MODIFIED:20250219T212000Z\r\n"
		"DTSTART;TZID=Asia/Shanghai:20250301T003000\r\n"
		"DTEND;TZID=Asia/Shanghai:20250301T023000\r\n"
		"SUMMARY:项目路演\r\n"
		"DESCRIPTION:路演项目十个\r\n"
		"LOCATION:万州经开区孵化园\r\n"
		"CATEGORIES:项目路演,Roadshow\r\n"
		"STATUS:CONFIRMED\r\n"
		"SEQUENCE:3\r\n"
		"URL:https://example.org/e/1?a=1,2;b\r\n"
		"END:VEVENT\r\n");
	/* The VTIMEZONE comes before the event that uses it. */
	ck_assert_before(text, "BEGIN:VTIMEZONE", "BEGIN:VEVENT");
	ck_assert_str_eq(text + strlen(text) - strlen("END:VCALENDAR\r\n"),
			 "END:VCALENDAR\r\n");
	free(vev);
	free(text);
}
END_TEST

START_TEST(test_timed_local_time)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	text = render_one(&ev);
	ck_assert_has(text,
		      "\r\nDTSTART;TZID=Asia/Shanghai:20250301T003000\r\n");
	ck_assert_has(text, "\r\nDTEND;TZID=Asia/Shanghai:20250301T023000\r\n");
	free(text);

	ev.end_utc = ev.start_utc;	/* no duration: DTEND left out */
	text = render_one(&ev);
	ck_assert_has(text,
		      "\r\nDTSTART;TZID=Asia/Shanghai:20250301T003000\r\n");
	ck_assert_hasnt(text, "DTEND");
	free(text);
}
END_TEST

START_TEST(test_timed_utc)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	ev.tzid = (char *)"UTC";
	text = render_one(&ev);
	ck_assert_has(text, "\r\nDTSTART:20250228T163000Z\r\n");
	ck_assert_has(text, "\r\nDTEND:20250228T183000Z\r\n");
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 0);
	free(text);

	/* A zone libical does not know keeps the instant, in UTC. */
	ev.tzid = (char *)"Mars/Olympus_Mons";
	text = render_one(&ev);
	ck_assert_has(text, "\r\nDTSTART:20250228T163000Z\r\n");
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 0);
	free(text);
}
END_TEST

START_TEST(test_all_day_dates)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	ev.all_day = 1;
	ev.start_utc = 1746028800;		/* 2025-05-01T00:00+08:00 */
	ev.end_utc = 1746201600;		/* 2025-05-03T00:00+08:00 */
	strcpy(ev.start_date, "2025-05-01");
	strcpy(ev.end_date, "2025-05-03");
	text = render_one(&ev);
	ck_assert_has(text, "\r\nDTSTART;VALUE=DATE:20250501\r\n");
	ck_assert_has(text, "\r\nDTEND;VALUE=DATE:20250503\r\n");
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 0);
	ck_assert_hasnt(text, "TZID=");
	free(text);

	/* No end date: a one-day event, DTEND the next day (exclusive). */
	ev.end_date[0] = '\0';
	text = render_one(&ev);
	ck_assert_has(text, "\r\nDTSTART;VALUE=DATE:20250501\r\n");
	ck_assert_has(text, "\r\nDTEND;VALUE=DATE:20250502\r\n");
	free(text);
}
END_TEST

START_TEST(test_cancelled)
{
	struct db_event ev;
	struct cal_feed_opts o = feed_opts;
	char *text;

	base_event(&ev);
	ev.status = (char *)"CANCELLED";
	text = render_one(&ev);			/* not marked */
	ck_assert_has(text, "\r\nSTATUS:CANCELLED\r\n");
	ck_assert_has(text, "\r\nSUMMARY:项目路演\r\n");
	free(text);

	o.mark_cancelled = 1;
	text = render(&ev, 1, &o);
	ck_assert_has(text, "\r\nSTATUS:CANCELLED\r\n");
	ck_assert_has(text, "\r\nSUMMARY:[已取消] 项目路演\r\n");
	free(text);

	ev.status = (char *)"TENTATIVE";	/* marked, but not cancelled */
	text = render(&ev, 1, &o);
	ck_assert_has(text, "\r\nSTATUS:TENTATIVE\r\n");
	ck_assert_has(text, "\r\nSUMMARY:项目路演\r\n");
	ck_assert_hasnt(text, "已取消");
	free(text);
}
END_TEST

START_TEST(test_stamps_and_sequence)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	text = render_one(&ev);
	/* DTSTAMP is the modification time, not the time of rendering. */
	ck_assert_has(text, "\r\nDTSTAMP:20250219T212000Z\r\n");
	ck_assert_has(text, "\r\nCREATED:20250208T073320Z\r\n");
	ck_assert_has(text, "\r\nLAST-MODIFIED:20250219T212000Z\r\n");
	ck_assert_has(text, "\r\nSEQUENCE:3\r\n");
	free(text);

	ev.sequence = 0;
	text = render_one(&ev);
	ck_assert_has(text, "\r\nSEQUENCE:0\r\n");
	free(text);
}
END_TEST

START_TEST(test_text_escaping)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	ev.title = (char *)"a,b;c\\d\nE";
	ev.description = (char *)"a,b;c\\d\nE";
	ev.venue = (char *)"a,b;c\\d\nE";
	text = render_one(&ev);
	ck_assert_has(text, "\r\nSUMMARY:a\\,b\\;c\\\\d\\nE\r\n");
	ck_assert_has(text, "\r\nDESCRIPTION:a\\,b\\;c\\\\d\\nE\r\n");
	ck_assert_has(text, "\r\nLOCATION:a\\,b\\;c\\\\d\\nE\r\n");
	assert_lines_ok(text);
	free(text);
}
END_TEST

START_TEST(test_folding_utf8)
{
	struct db_event ev;
	char *text, *flat, *expect;
	size_t len;

	ck_assert_int_eq(strlen(LONG_TITLE), 120 * 3);	/* 120 characters */
	base_event(&ev);
	ev.title = (char *)LONG_TITLE;
	ev.description = (char *)"Mixed ASCII and 中文 text, with commas; "
		"semicolons and a very long run of words that must be folded "
		"across several lines 孵化载体孵化载体孵化载体孵化载体孵化载体";
	ev.venue = (char *)("a" LONG_TITLE);	/* shifts the octet phase */
	/* 4-octet characters, and a run with no place to break but any. */
	ev.url = (char *)("https://example.org/"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	ev.rrule = NULL;
	text = render_one(&ev);
	assert_lines_ok(text);
	free(text);
	ev.title = (char *)("ab" "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀"
		"🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀");
	text = render_one(&ev);
	assert_lines_ok(text);
	flat = unfold(text);
	ck_assert_has(flat, ev.title);
	free(flat);
	free(text);

	ev.title = (char *)LONG_TITLE;
	text = render_one(&ev);
	assert_lines_ok(text);
	ck_assert_hasnt(text, "SUMMARY:" LONG_TITLE);	/* it was folded */

	flat = unfold(text);
	len = strlen("\r\nSUMMARY:" LONG_TITLE "\r\n") + 1;
	expect = malloc(len);
	ck_assert_ptr_nonnull(expect);
	snprintf(expect, len, "\r\nSUMMARY:%s\r\n", LONG_TITLE);
	ck_assert_has(flat, expect);
	ck_assert_has(flat, "\r\nLOCATION:a" LONG_TITLE "\r\n");
	free(expect);
	free(flat);
	free(text);
}
END_TEST

START_TEST(test_deterministic)
{
	struct db_event ev[3];
	char *a, *b;

	base_event(&ev[0]);
	base_event(&ev[1]);
	base_event(&ev[2]);
	ev[1].uid = (char *)"e2@roadshowd";
	ev[1].tzid = (char *)"America/New_York";
	ev[1].title = (char *)LONG_TITLE;
	ev[2].uid = (char *)"e3@roadshowd";
	ev[2].rrule = (char *)"FREQ=MONTHLY;BYDAY=2TH;COUNT=12";
	a = render(ev, 3, &feed_opts);
	b = render(ev, 3, &feed_opts);
	ck_assert_str_eq(a, b);
	free(b);
	free(a);
}
END_TEST

START_TEST(test_event_order)
{
	struct db_event ev[3];
	char *text;

	base_event(&ev[0]);
	base_event(&ev[1]);
	base_event(&ev[2]);
	ev[0].uid = (char *)"c@roadshowd";
	ev[1].uid = (char *)"a@roadshowd";
	ev[1].start_utc -= 86400;		/* earlier, but listed second */
	ev[1].end_utc -= 86400;
	ev[2].uid = (char *)"b@roadshowd";
	text = render(ev, 3, &feed_opts);
	ck_assert_int_eq(count_of(text, "BEGIN:VEVENT"), 3);
	ck_assert_before(text, "\r\nUID:c@", "\r\nUID:a@");
	ck_assert_before(text, "\r\nUID:a@", "\r\nUID:b@");
	free(text);
}
END_TEST

START_TEST(test_vtimezone_once_per_tzid)
{
	struct db_event ev[3];
	char *text, *vtz;

	base_event(&ev[0]);
	base_event(&ev[1]);
	ev[1].uid = (char *)"e2@roadshowd";
	ev[1].start_utc += 7 * 86400;
	ev[1].end_utc += 7 * 86400;
	text = render(ev, 2, &feed_opts);
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 1);
	ck_assert_int_eq(count_of(text, "\r\nTZID:Asia/Shanghai\r\n"), 1);
	ck_assert_hasnt(text, "freeassociation");
	/* Cut to observances from the year before the first event: one. */
	vtz = block(text, "VTIMEZONE");
	ck_assert_str_eq(vtz,
		"BEGIN:VTIMEZONE\r\n"
		"TZID:Asia/Shanghai\r\n"
		"X-LIC-LOCATION:Asia/Shanghai\r\n"
		"BEGIN:STANDARD\r\n"
		"TZNAME:CST\r\n"
		"TZOFFSETFROM:+0800\r\n"
		"TZOFFSETTO:+0800\r\n"
		"DTSTART:20240101T080000\r\n"
		"END:STANDARD\r\n"
		"END:VTIMEZONE\r\n");
	free(vtz);
	free(text);

	/* A New York event adds a second one, after Shanghai (first use);
	 * all-day and UTC events add none. */
	base_event(&ev[2]);
	ev[2].uid = (char *)"e3@roadshowd";
	ev[2].tzid = (char *)"UTC";
	ev[1].tzid = (char *)"America/New_York";
	ev[1].start_utc = 1751990400;		/* 2025-07-08T12:00-04:00 */
	ev[1].end_utc = 1751990400 + 3600;
	ev[0].all_day = 1;
	strcpy(ev[0].start_date, "2025-03-01");
	strcpy(ev[0].end_date, "2025-03-02");
	text = render(ev, 3, &feed_opts);
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 1);
	ck_assert_int_eq(count_of(text, "\r\nTZID:America/New_York\r\n"), 1);
	free(text);

	ev[0].all_day = 0;
	text = render(ev, 3, &feed_opts);
	ck_assert_int_eq(count_of(text, "BEGIN:VTIMEZONE"), 2);
	ck_assert_int_eq(count_of(text, "\r\nTZID:Asia/Shanghai\r\n"), 1);
	ck_assert_int_eq(count_of(text, "\r\nTZID:America/New_York\r\n"), 1);
	ck_assert_before(text, "\r\nTZID:Asia/Shanghai\r\n",
			 "\r\nTZID:America/New_York\r\n");
	ck_assert_has(text,
		      "\r\nDTSTART;TZID=America/New_York:20250708T120000\r\n");
	ck_assert_hasnt(text, "freeassociation");
	assert_lines_ok(text);
	free(text);
}
END_TEST

/*
 * A client resolves DTSTART with the VTIMEZONE we send, not its own zone
 * database: the emitted (truncated) VTIMEZONE must give back the stored
 * instant, in and out of summer time, including Shanghai's 1986-1991 DST.
 */
static void
assert_instant_via_feed_vtimezone(const char *tzid, int64_t start_utc)
{
	struct db_event ev;
	icalcomponent *cal, *vtz, *vev;
	icalproperty *p;
	icalparameter *par;
	icaltimezone *zone;
	char *text;

	base_event(&ev);
	ev.tzid = (char *)tzid;
	ev.start_utc = start_utc;
	ev.end_utc = start_utc + 3600;
	text = render_one(&ev);
	cal = icalparser_parse_string(text);
	ck_assert_ptr_nonnull(cal);
	vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	vev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_ptr_nonnull(vtz);
	ck_assert_ptr_nonnull(vev);
	p = icalcomponent_get_first_property(vev, ICAL_DTSTART_PROPERTY);
	ck_assert_ptr_nonnull(p);
	par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	ck_assert_ptr_nonnull(par);
	ck_assert_str_eq(icalparameter_get_tzid(par), tzid);
	p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(icalproperty_get_tzid(p), tzid);
	p = icalcomponent_get_first_property(vev, ICAL_DTSTART_PROPERTY);

	icalcomponent_remove_component(cal, vtz);
	zone = icaltimezone_new();
	ck_assert_ptr_nonnull(zone);
	ck_assert_int_eq(icaltimezone_set_component(zone, vtz), 1);
	ck_assert_int_eq((int64_t)icaltime_as_timet_with_zone(
				 icalproperty_get_dtstart(p), zone),
			 start_utc);
	icaltimezone_free(zone, 1);		/* frees vtz too */
	icalcomponent_free(cal);
	free(text);
}

START_TEST(test_vtimezone_gives_back_instants)
{
	assert_instant_via_feed_vtimezone("Asia/Shanghai", 1740760200);
	/* 1988-07-01T12:00+09:00 (CDT) */
	assert_instant_via_feed_vtimezone("Asia/Shanghai", 583729200);
	/* 2025-07-08T12:00-04:00 (EDT) and 2025-01-08T12:00-05:00 (EST) */
	assert_instant_via_feed_vtimezone("America/New_York", 1751990400);
	assert_instant_via_feed_vtimezone("America/New_York", 1736355600);
}
END_TEST

START_TEST(test_rrule)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	ev.rrule = (char *)"FREQ=MONTHLY;BYDAY=2TH;COUNT=12";
	text = render_one(&ev);
	/* libical prints the parts in its own order (COUNT before BYDAY). */
	ck_assert_has(text, "\r\nRRULE:FREQ=MONTHLY;COUNT=12;BYDAY=2TH\r\n");
	free(text);

	ev.rrule = (char *)"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20251231T160000Z";
	text = render_one(&ev);
	ck_assert_has(text,
		      "\r\nRRULE:FREQ=WEEKLY;UNTIL=20251231T160000Z;"
		      "BYDAY=MO,WE\r\n");
	free(text);

	ev.rrule = (char *)"not a rule";	/* skipped, event kept */
	text = render_one(&ev);
	ck_assert_hasnt(text, "RRULE");
	ck_assert_int_eq(count_of(text, "BEGIN:VEVENT"), 1);
	free(text);
}
END_TEST

START_TEST(test_categories)
{
	struct db_event ev;
	char *text;

	base_event(&ev);
	text = render_one(&ev);
	ck_assert_has(text, "\r\nCATEGORIES:项目路演,Roadshow\r\n");
	free(text);

	ev.kind = (char *)"competition";
	text = render_one(&ev);
	ck_assert_has(text, "\r\nCATEGORIES:大赛,Competition\r\n");
	free(text);

	ev.kind = (char *)"no-such-kind";
	text = render_one(&ev);
	ck_assert_hasnt(text, "CATEGORIES");
	free(text);
}
END_TEST

START_TEST(test_round_trip)
{
	struct db_event ev;
	struct cal_feed_opts o = feed_opts;
	icalcomponent *cal, *vev;
	char *text;

	base_event(&ev);
	ev.title = (char *)LONG_TITLE;
	ev.description = (char *)"a,b;c\\d\nE 中文";
	o.name = "名称,含逗号;分号";
	text = render(&ev, 1, &o);
	cal = icalparser_parse_string(text);
	ck_assert_ptr_nonnull(cal);
	ck_assert_int_eq(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	vev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_ptr_nonnull(vev);
	ck_assert_str_eq(icalcomponent_get_summary(vev), LONG_TITLE);
	ck_assert_str_eq(icalcomponent_get_description(vev), ev.description);
	ck_assert_str_eq(icalcomponent_get_uid(vev), "e1@roadshowd");
	ck_assert_int_eq(icalcomponent_get_status(vev), ICAL_STATUS_CONFIRMED);
	ck_assert_int_eq(icalcomponent_get_sequence(vev), 3);
	ck_assert_str_eq(icalproperty_get_name(icalcomponent_get_first_property(
				 cal, ICAL_NAME_PROPERTY)), o.name);
	icalcomponent_free(cal);
	free(text);
}
END_TEST

static Suite *
event_ics_suite(void)
{
	Suite *s = suite_create("event_ics");
	struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{ "calendar_exact", test_calendar_exact_empty_feed },
		{ "calendar_options",
		  test_calendar_refresh_and_optional_names },
		{ "vevent_exact", test_vevent_exact },
		{ "timed_local", test_timed_local_time },
		{ "timed_utc", test_timed_utc },
		{ "all_day", test_all_day_dates },
		{ "cancelled", test_cancelled },
		{ "stamps_sequence", test_stamps_and_sequence },
		{ "escaping", test_text_escaping },
		{ "folding_utf8", test_folding_utf8 },
		{ "deterministic", test_deterministic },
		{ "event_order", test_event_order },
		{ "vtimezone_once", test_vtimezone_once_per_tzid },
		{ "vtimezone_instants", test_vtimezone_gives_back_instants },
		{ "rrule", test_rrule },
		{ "categories", test_categories },
		{ "round_trip", test_round_trip },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_add(s, cases[i].name, cases[i].test, NULL, NULL);
	return s;
}

int
main(void)
{
	int rc;

	cal_init();
	rc = ck_main(event_ics_suite());
	icaltimezone_free_builtin_timezones();	/* quiet valgrind */
	return rc;
}
