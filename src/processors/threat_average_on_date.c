/*
 * threat_average_on_date.c — per threat: means of count, maxRisk and
 * averageRate per date and over all occurrences (object_average_on_date.c).
 */
#include "processors/object_average.h"

const struct processor processor_threat_average_on_date = {
    .name = "threat_average_on_date",
    .type = STATS_THREAT,
    .public_default = true,
    .description = "Per threat (by uuid): its labels, the means of count, maxRisk and averageRate per "
                   "date over the analyses of that date that contain it, and their means over all its "
                   "occurrences.",
    .run = object_average_on_date,
};
