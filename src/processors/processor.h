/*
 * processor.h — named aggregations over a selection of stats of one type
 * (docs/processors.md).
 *
 * A processor is one source file defining one `const struct processor`: its
 * name, type, description, parameters and run function.  registry.c lists
 * them; everything else (the processed API, the public JSON, discovery,
 * parameter validation) reads the registry, so adding a processor is its file
 * plus one line in registry.c and one in meson.build.
 *
 * Parameters are sets of words: each parameter declares its allowed values,
 * and a request chooses some of them (a comma-separated string or a JSON list;
 * all of them by default).  A processor reads its choices from
 * processor_args as bit sets over its values[].
 *
 * run() reads figures from the store (store.h, facts section) and writes its
 * output, one JSON value, with `out`; it is deterministic for the same stored
 * data.
 */
#ifndef PROCESSORS_PROCESSOR_H
#define PROCESSORS_PROCESSOR_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "stats/stats.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/decimal.h"
#include "util/errors.h"
#include "util/json_writer.h"

#define PROCESSOR_MAX_PARAMS 4
#define PROCESSOR_MAX_VALUES 8

struct processor_param {
    const char *name;
    const char *const *values;   /* allowed words, NULL-terminated, at most PROCESSOR_MAX_VALUES */
    const char *description;
};

/*
 * What the public routes add to a processor's answer (docs/privacy.md): items
 * (threats, vulnerabilities, referentials) resting on fewer organisations
 * than the floor, or on fewer analyses than asked, are left out, the others
 * carry their sample sizes; a whole figure (risks, cartography) below the
 * floor gives its sample sizes only.  The API's answers have no view and stay
 * as they are.
 */
struct public_view {
    int64_t min_organisations;            /* MIN_ORGANISATIONS */
    int64_t min_analyses;                 /* the min_analyses parameter */
    struct support whole;                 /* of the selection */
    const struct item_supports *items;    /* of its items, when its kind has some */
    /* Trends: the period of the same length just before the selection's, and
     * its items' support (the floor applies there too); NULL with last_stats. */
    const struct stats_filter *previous;
    const struct item_supports *previous_items;
};

/* chosen[i]: bit j set when params[i].values[j] was chosen (default: every bit). */
struct processor_args {
    unsigned chosen[PROCESSOR_MAX_PARAMS];
    const struct public_view *view;       /* NULL but on the public routes */
};

struct processor {
    const char *name;
    enum stats_type type;
    /* The one processor of its type that its public JSON (/stats/<kind>.json)
     * runs when the request names none. */
    bool public_default;
    const char *description;
    const struct processor_param *params;   /* may be NULL when n_params is 0 */
    size_t n_params;
    /* f selects the stats (f->type is this processor's type). */
    enum store_rc (*run)(struct store *s, const struct stats_filter *f,
                         const struct processor_args *args, struct json_writer *out);
};

/* --- registry.c --- */

size_t processor_count(void);
const struct processor *processor_at(size_t i);
/* NULL when no processor has this name. */
const struct processor *processor_find(const char *name);
/* The processor of `type` marked public_default; NULL when none is. */
const struct processor *processor_public_default(enum stats_type type);
/* "a, b" — the names of the processors made for `type`. */
void processor_names_of_type(enum stats_type type, buf *out);
/* The body of GET /api/v1/stats/processed/list. */
void processor_list_json(struct json_writer *out);

/* Every parameter at its default (all its values). */
void processor_args_default(struct processor_args *args);

/*
 * Reads `params` (processor_params as received: NULL or absent, an object,
 * [] meaning none, "" meaning none, or a string holding one of those as JSON)
 * into args.  Unknown names and words are problems, appended to errs with
 * fields "processor_params.<name>".  Returns true when there was none.
 */
bool processor_parse_args(const struct processor *p, struct json_object *params,
                          struct processor_args *args, struct error_list *errs);

/* --- output.c: JSON pieces several processors write --- */

/* {"label1": …, "label4": …} */
void processor_labels_json(struct json_writer *out, const struct labels *l);
/* A mean, or null when nothing was averaged. */
void processor_mean_json(struct json_writer *out, struct decimal sum, int64_t n);

/* --- output.c: the public view (struct public_view) --- */

/* Whether the item `key` is shown: always without a view. */
bool processor_item_shown(const struct processor_args *args, const char *key);
/* Its sample sizes as members of the open item object: "analyses" (unless the
 * item writes its own), "organisations", "data_up_to".  Nothing without a view. */
void processor_item_support_json(struct json_writer *out, const struct processor_args *args,
                                 const char *key, bool with_analyses);
/* Whether the item `key` has a figure for the previous period that may be
 * shown (view->previous set, and the floor met there). */
bool processor_previous_shown(const struct processor_args *args, const char *key);
/* Whether a whole figure is shown: always without a view, and when the
 * selection holds no stats (its empty figure); else from MIN_ORGANISATIONS
 * organisations on. */
bool processor_figure_shown(const struct processor_args *args);
/* The selection's sample sizes as members of the open figure object, as for
 * an item.  Nothing without a view. */
void processor_figure_support_json(struct json_writer *out, const struct processor_args *args,
                                   bool with_analyses);
/* The answer of a figure that is not shown: {"analyses", "organisations", "data_up_to"}. */
void processor_figure_hidden_json(struct json_writer *out, const struct processor_args *args);

#endif
