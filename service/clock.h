/*
 * clock.h: the service's one clock, with the test clocks.
 *
 * Every "now" of roadshowd (the server's svc->clock, the CLI's stamps)
 * comes from svc_now(). Two environment variables replace the real clock
 * for tests (README, "Testing"):
 *   ROADSHOWD_NOW       an RFC 3339 time with offset: a fixed clock;
 *   ROADSHOWD_NOW_FILE  a file whose content is an RFC 3339 time with
 *                       offset, read again at every svc_now(): a clock a
 *                       test moves by rewriting the file.
 * The file wins while it holds a valid time; otherwise ROADSHOWD_NOW when
 * set; otherwise time(2).
 */
#ifndef ROADSHOWD_CLOCK_H
#define ROADSHOWD_CLOCK_H

#include <stdint.h>

/*
 * Read ROADSHOWD_NOW and ROADSHOWD_NOW_FILE from the environment (call
 * once at start, before any svc_now(), from one thread; the names are
 * borrowed from the environment, which must not change afterwards).
 * Empty values count as unset. Returns 0, or -EINVAL when ROADSHOWD_NOW
 * is set but not RFC 3339 with an offset (the file is only checked at
 * each read: a missing or invalid file falls back to the other clocks).
 */
int svc_clock_init(void);

/*
 * Now, in seconds since the epoch UTC, by the rule above. Thread-safe
 * after svc_clock_init() (it only reads the file and state set there).
 * Never fails: an unreadable clock file falls back to the next clock.
 */
int64_t svc_now(void);

#endif
