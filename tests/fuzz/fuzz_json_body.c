/*
 * fuzz_json_body: the JSON event body of POST /api/v1/events, through the
 * same parsing and checks as the handler (svc_event_parse_for_create()),
 * against an in-memory database seeded as on first start.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../calendar/caltime.h"
#include "../../service/event_json.h"
#include "../../service/svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t
fixed_clock(void)
{
	return 1740000000;	/* 2025-02-19T21:20:00Z */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct svc svc;
	static int ready;
	struct db_event ev;

	if (!ready) {
		cal_init();
		if (db_open(":memory:", fixed_clock(), &svc.db) != 0)
			return 0;
		pthread_mutex_init(&svc.lock, NULL);
		svc.clock = fixed_clock;
		ready = 1;
	}
	if (size > 65536)
		return 0;
	memset(&ev, 0, sizeof(ev));
	if (svc_event_parse_for_create(&svc, (const char *)data, size, &ev)
	    == 0)
		db_event_release(&ev);
	return 0;
}
