/*
 * object_average.h — the shared body of threat_average_on_date and
 * vulnerability_average_on_date (object_average_on_date.c).
 */
#ifndef PROCESSORS_OBJECT_AVERAGE_H
#define PROCESSORS_OBJECT_AVERAGE_H

#include "processors/processor.h"
#include "store/facts/objects.h"

/*
 * One element per threat or vulnerability of the selection (f->type), by uuid:
 * {"object", "labels", "values": [{"count", "maxRisk", "averageRate", "date"}…],
 *  "averages": {"count", "maxRisk", "averageRate"}}.
 */
enum store_rc object_average_on_date(struct store *s, const struct stats_filter *f,
                                     const struct processor_args *args, struct json_writer *out);

#endif
