/*
 * event_ics: render events as an iCalendar feed (RFC 5545, RFC 7986) with
 * libical. Output is deterministic: the same events give the same octets
 * (DTSTAMP is the event's last change, not the time of the request), so a
 * digest of the text is a valid strong ETag.
 */
#ifndef ROADSHOWD_EVENT_ICS_H
#define ROADSHOWD_EVENT_ICS_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

struct cal_feed_opts {
	const char *name;		/* X-WR-CALNAME and NAME (RFC 7986) */
	const char *description;	/* X-WR-CALDESC and DESCRIPTION */
	int mark_cancelled;		/* 1: SUMMARY of CANCELLED events
					 * gets the prefix "[已取消] " */
	int refresh_minutes;		/* REFRESH-INTERVAL/X-PUBLISHED-TTL;
					 * 0: 60 */
	const char *base_url;		/* "https://host" for ORGANIZER URIs;
					 * NULL: no ORGANIZER */
	int hide_tentative;		/* 1 (public feeds): an occurrence
					 * overridden as TENTATIVE is left
					 * out (as an EXDATE) */
};

/*
 * Render a VCALENDAR (VERSION, PRODID, CALSCALE, METHOD:PUBLISH, names,
 * X-WR-TIMEZONE) holding one VTIMEZONE per TZID used (the district's when
 * there is no event, so the calendar is never empty, RFC 5545 §3.6) and
 * one VEVENT per
 * event: UID, DTSTAMP (= modified), CREATED, LAST-MODIFIED, DTSTART/DTEND
 * with TZID (DATE values for all-day events, DTEND exclusive), SUMMARY,
 * DESCRIPTION, LOCATION, CATEGORIES (kind in Chinese and English), STATUS,
 * SEQUENCE, RRULE, RDATE, EXDATE, URL, GEO, ORGANIZER (CN = host carrier), and
 * after a series one VEVENT per RECURRENCE-ID override (same UID). Lines
 * CRLF, folded at 75 octets by libical.
 * events and o are borrowed. Returns a string the caller frees with
 * free(), or NULL when out of memory.
 */
char *cal_feed_render(const struct db_event *events, size_t n,
		      const struct cal_feed_opts *o);

#endif
