/*
 * fuzz_ics_parse: what the sandboxed parser child (roadshowd parse-ics)
 * runs on an uploaded file: cal_import_parse() and the API's limits on
 * every event read (svc_event_input_check()).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../calendar/caltime.h"
#include "../../calendar/import.h"
#include "../../service/input_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct cal_import im;
	char why[200];
	size_t i;

	if (!ready) {
		cal_init();
		ready = 1;
	}
	if (size > 65536)
		return 0;
	memset(&im, 0, sizeof(im));
	if (cal_import_parse((const char *)data, size, &im) != 0)
		return 0;
	for (i = 0; i < im.n; i++)
		svc_event_input_check(&im.events[i], why, sizeof(why));
	cal_import_release(&im);
	return 0;
}
