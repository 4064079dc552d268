#!/usr/bin/env node
/*
 * parse_feed.mjs: read an iCalendar feed with ical.js (the parser Mozilla
 * Thunderbird uses) and print what it understood as JSON, so that the
 * end-to-end tests can compare it with what was posted to roadshowd.
 *
 *   node parse_feed.mjs FEED.ics [FROM TO]
 *
 * FROM and TO are instants (RFC 3339, e.g. 2025-01-01T00:00:00Z). When
 * given, every recurring VEVENT is expanded with ICAL.Event#iterator() and
 * ICAL.Event#getOccurrenceDetails(), with each RECURRENCE-ID component of
 * the same UID registered through ICAL.Event#relateException() and the
 * EXDATEs applied by ical.js's own RecurExpansion; occurrences starting in
 * [FROM, TO) are listed.
 *
 * No time zone is registered from outside: a TZID resolves only through a
 * VTIMEZONE of the feed itself (ical.js looks it up in the component
 * tree). "zone" in the output is the zone ical.js actually used, so an
 * unresolved TZID shows up as "floating".
 *
 * Output (one JSON document on standard output):
 *   { "calendar": { "properties": { NAME: [value, ...] }, ... },
 *     "timezones": [TZID, ...],
 *     "events": [ { "uid", "summary", ..., "dtstart": TIME, ... } ],
 *     "occurrences": { UID: [ { "recurrence_id", "start", "end", ... } ] } }
 * TIME = { "value": local text as in the file (date or date-time),
 *          "is_date", "tzid" (the parameter), "zone" (resolved),
 *          "offset" ("+08:00"), "iso" (local with offset, or the date),
 *          "utc" (UTC instant "…Z", null for dates) }
 * Exit status 0, or 1 with a message on standard error.
 */
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function die(msg) {
  process.stderr.write(`parse_feed: ${msg}\n`);
  process.exit(1);
}

function pad(n) {
  return String(n).padStart(2, '0');
}

function offsetText(seconds) {
  const sign = seconds < 0 ? '-' : '+';
  const s = Math.abs(seconds);
  const hh = pad(Math.floor(s / 3600));
  const mm = pad(Math.floor((s % 3600) / 60));
  return `${sign}${hh}:${mm}`;
}

function utcText(time) {
  // toJSDate() converts through the time's zone (the feed's VTIMEZONE).
  return time.toJSDate().toISOString().replace('.000Z', 'Z');
}

function timeJSON(time, prop) {
  if (!time) {
    return null;
  }
  const zone = time.zone ? time.zone.tzid : null;
  const out = {
    value: time.toString(),
    is_date: time.isDate,
    tzid: prop ? (prop.getParameter('tzid') || null) : null,
    zone,
    offset: null,
    iso: time.toString(),
    utc: null,
  };
  if (!time.isDate && zone !== 'floating') {
    const off = time.utcOffset();
    out.offset = offsetText(off);
    out.iso = time.toString().replace(/Z$/, '') + out.offset;
    out.utc = utcText(time);
  }
  return out;
}

function valueText(v) {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'object' && typeof v.toString === 'function') {
    return v.toString();
  }
  return v;
}

function propsJSON(component) {
  const out = {};
  for (const prop of component.getAllProperties()) {
    const name = prop.name.toUpperCase();
    (out[name] = out[name] || []).push(prop.getValues().map(valueText));
  }
  return out;
}

function first(component, name) {
  const v = component.getFirstPropertyValue(name);
  return v === undefined ? null : v;
}

function propTime(component, name) {
  const prop = component.getFirstProperty(name);
  return prop ? timeJSON(prop.getFirstValue(), prop) : null;
}

function eventJSON(vevent) {
  const ev = new ICAL.Event(vevent, { exceptions: [] });
  const dtstartProp = vevent.getFirstProperty('dtstart');
  const dtendProp = vevent.getFirstProperty('dtend');
  const ridProp = vevent.getFirstProperty('recurrence-id');
  const organizer = vevent.getFirstProperty('organizer');
  const geo = first(vevent, 'geo');
  const rrule = first(vevent, 'rrule');
  const categories = [];
  for (const p of vevent.getAllProperties('categories')) {
    categories.push(...p.getValues());
  }
  const exdates = [];
  for (const p of vevent.getAllProperties('exdate')) {
    for (const v of p.getValues()) {
      exdates.push(timeJSON(v, p));
    }
  }
  return {
    uid: first(vevent, 'uid'),
    summary: first(vevent, 'summary'),
    description: first(vevent, 'description'),
    location: first(vevent, 'location'),
    status: first(vevent, 'status'),
    sequence: first(vevent, 'sequence'),
    categories,
    url: first(vevent, 'url'),
    geo: geo ? geo.map(Number) : null,
    organizer: organizer ? {
      value: organizer.getFirstValue(),
      cn: organizer.getParameter('cn') || null,
    } : null,
    dtstamp: propTime(vevent, 'dtstamp'),
    created: propTime(vevent, 'created'),
    last_modified: propTime(vevent, 'last-modified'),
    dtstart: timeJSON(ev.startDate, dtstartProp),
    dtend: dtendProp ? timeJSON(ev.endDate, dtendProp) : null,
    duration_seconds: ev.duration ? ev.duration.toSeconds() : null,
    recurrence_id: ridProp ? timeJSON(ridProp.getFirstValue(), ridProp) : null,
    rrule: rrule ? rrule.toString() : null,
    rrule_parts: rrule ? rrule.toJSON() : null,
    exdates,
    is_recurring: ev.isRecurring(),
  };
}

/* Occurrences of master (a recurring VEVENT) starting in [from, to). */
function expand(master, exceptions, from, to) {
  const ev = new ICAL.Event(master,
                            { strictExceptions: true, exceptions: [] });
  for (const ex of exceptions) {
    ev.relateException(ex);
  }
  const out = [];
  const it = ev.iterator();
  let next;
  let guard = 0;
  while ((next = it.next())) {
    if (++guard > 100000) {
      die(`expansion of ${ev.uid} does not end`);
    }
    const details = ev.getOccurrenceDetails(next);
    if (next.compare(to) >= 0 && details.startDate.compare(to) >= 0) {
      break;
    }
    if (details.startDate.compare(from) < 0 ||
        details.startDate.compare(to) >= 0) {
      continue;
    }
    const item = details.item;
    out.push({
      recurrence_id: utcText(details.recurrenceId),
      start: utcText(details.startDate),
      end: utcText(details.endDate),
      start_local: timeJSON(details.startDate, null).iso,
      exception: item !== ev,
      summary: item.summary,
      location: item.location,
      status: item.component.getFirstPropertyValue('status') || null,
      sequence: item.sequence,
    });
  }
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return out;
}

function instant(text, what) {
  const d = new Date(text);
  if (Number.isNaN(d.getTime()) || !/([Zz]|[+-]\d\d:\d\d)$/.test(text)) {
    die(`${what} must be an RFC 3339 instant with an offset, not ${text}`);
  }
  return ICAL.Time.fromJSDate(d, true);
}

function main(argv) {
  if (argv.length !== 1 && argv.length !== 3) {
    die('usage: node parse_feed.mjs FEED.ics [FROM TO]');
  }
  let text;
  try {
    text = readFileSync(argv[0], 'utf8');
  } catch (e) {
    die(`cannot read ${argv[0]}: ${e.message}`);
  }
  let root;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (e) {
    die(`ical.js cannot parse ${argv[0]}: ${e.message}`);
  }
  if (root.name !== 'vcalendar') {
    die(`the top component is ${root.name}, not vcalendar`);
  }
  const vevents = root.getAllSubcomponents('vevent');
  const out = {
    calendar: {
      properties: propsJSON(root),
      components: root.getAllSubcomponents().map((c) => c.name.toUpperCase()),
    },
    timezones: root.getAllSubcomponents('vtimezone').map(
      (tz) => tz.getFirstPropertyValue('tzid')),
    events: vevents.map(eventJSON),
    occurrences: null,
  };
  if (argv.length === 3) {
    const from = instant(argv[1], 'FROM');
    const to = instant(argv[2], 'TO');
    out.occurrences = {};
    for (const master of vevents) {
      if (master.hasProperty('recurrence-id')) {
        continue;
      }
      const uid = master.getFirstPropertyValue('uid');
      const ev = new ICAL.Event(master, { exceptions: [] });
      if (!ev.isRecurring()) {
        continue;
      }
      const exceptions = vevents.filter(
        (c) => c.hasProperty('recurrence-id') &&
               c.getFirstPropertyValue('uid') === uid);
      out.occurrences[uid] = expand(master, exceptions, from, to);
    }
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main(process.argv.slice(2));
