/*
 * evolution.h — the evolution of threats, vulnerabilities or risks: the
 * landscape as of each date of a period (docs/privacy.md, "The evolution").
 *
 * The landscape as of a date D averages, over every analysis, its latest
 * stats dated on or before D and not older than the window: an analysis that
 * did not report on D still counts with its last figures, until the window
 * has passed.  Each point says on how many analyses and organisations it
 * rests; its figures are null below the privacy floor.
 */
#ifndef PROCESSORS_EVOLUTION_H
#define PROCESSORS_EVOLUTION_H

#include "stats/stats.h"
#include "store/store.h"
#include "util/json_writer.h"

/* Points are this far apart, counted back from the last date. */
enum evolution_step { EVOLUTION_DAY, EVOLUTION_WEEK, EVOLUTION_MONTH };

#define EVOLUTION_MAX_POINTS 1000
#define EVOLUTION_MAX_OBJECTS 20

struct evolution_query {
    enum stats_type type;               /* STATS_THREAT, STATS_VULNERABILITY or STATS_RISK */
    const char *const *objects;         /* threats, vulnerabilities: uuids, lower case */
    size_t n_objects;                   /* 1 … EVOLUTION_MAX_OBJECTS (none for the risks) */
    unsigned risk_states, risk_kinds;   /* risks: bit i for RISK_STATES[i], RISK_KINDS[i] (risk_cells.h) */
    char date_from[DATE_STR_LEN];       /* the first point is on or after it */
    char date_to[DATE_STR_LEN];         /* the last point */
    enum evolution_step step;
    int window_days;                    /* EVOLUTION_WINDOW */
    int64_t min_organisations;          /* MIN_ORGANISATIONS */
    bool local_only;                    /* only the stats of clients created here */
};

/* "day", "week", "month"; false for another word. */
bool evolution_step_parse(const char *word, enum evolution_step *out);

/* The dates of the points, oldest first (dates may be NULL to count them);
 * their number, max + 1 when there are more than max. */
size_t evolution_points(const struct evolution_query *q, char (*dates)[DATE_STR_LEN], size_t max);

/* Writes [{"object", "labels", "points": [{"date", "count", "maxRisk",
 * "averageRate", "analyses", "organisations"}, …]}, …], one entry per object
 * in q's order (labels null for an object no stats names in the period). */
enum store_rc evolution_write(struct store *s, const struct evolution_query *q, struct json_writer *out);

/* The risks' landscape: {"points": [{"date", "current": {"informational":
 * {"Low risks", "Medium risks", "High risks"}, "operational": {…}},
 * "residual": {…}, "analyses", "organisations"}, …]}, the mean number of
 * risks of each level over the analyses standing (null below the floor),
 * with the states and kinds q chooses. */
enum store_rc evolution_risk_write(struct store *s, const struct evolution_query *q, struct json_writer *out);

/* A comma-separated list of words (risks_type, risks_state) into bits of
 * `words` (NULL-ended); false for an unknown or empty word. */
bool evolution_risk_words(const char *text, const char *const *words, unsigned *chosen);

#endif
