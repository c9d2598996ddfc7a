/*
 * open_data.c — the open data: GET /open-data/<name>.csv (stats_bp), each
 * public answer of the landscape's default view as CSV, and GET /open-data
 * (root_bp), the page that lists every public dataset, CSV and JSON, under
 * the licence the operator sets (DATA_LICENSE).
 *
 * A CSV is made from the very answer /stats/<name>.json?last_stats=1 gives
 * (web_public_run, public.c): the same privacy floor, the same sample sizes,
 * nothing else.  Both are kept in the answer cache, so a file is written once
 * per change of its stats.  Text cells that a spreadsheet would run as a
 * formula get a leading quote, as in the dashboard's own downloads; the file
 * starts with a UTF-8 byte-order mark so that spreadsheets read the accents.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "processors/processor.h"
#include "util/json.h"
#include "web/answer_cache.h"
#include "web/web.h"

#define CSV_TYPE "text/csv; charset=utf-8"
#define BOM "\xef\xbb\xbf"
/* The period of every file: the latest stats of each analysis. */
#define PERIOD "latest"

/* --- CSV cells --- */

static void csv_text(buf *out, const char *s)
{
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    bool quoted = strpbrk(s, ",\"\r\n") != NULL;
    if (quoted)
        buf_putc(out, '"');
    if (formula)
        buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(out, '"');
        buf_putc(out, *s);
    }
    if (quoted)
        buf_putc(out, '"');
}

static struct json_object *member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A cell from a JSON value: a number as the JSON wrote it, text, or empty for null. */
static void csv_value(buf *out, struct json_object *v)
{
    double d;
    if (!v)
        return;
    if (json_object_is_type(v, json_type_int))
        buf_printf(out, "%lld", (long long)json_object_get_int64(v));
    else if (json_object_is_type(v, json_type_string))
        csv_text(out, json_object_get_string(v));
    else if (json_get_num(v, &d))
        buf_json_double(out, d);
}

static void cell(buf *out, struct json_object *v)
{
    csv_value(out, v);
    buf_putc(out, ',');
}

static void text_cell(buf *out, const char *s)
{
    csv_text(out, s);
    buf_putc(out, ',');
}

/* label1..label4 of a labels object, in French, English, German, Dutch order. */
static void labels_cells(buf *out, struct json_object *labels)
{
    static const char *const keys[] = {"label1", "label2", "label3", "label4"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cell(out, labels ? member(labels, keys[i]) : NULL);
}

/* The sample sizes and the period that end every row. */
static void support_cells(buf *out, struct json_object *o)
{
    cell(out, member(o, "analyses"));
    cell(out, member(o, "organisations"));
    cell(out, member(o, "data_up_to"));
    buf_puts(out, PERIOD "\r\n");
}

#define SUPPORT_HEADS "analyses,organisations,data_up_to,period\r\n"
#define LABEL_HEADS(what) what "_fr," what "_en," what "_de," what "_nl,"

/* --- one writer per dataset: the answer's shape, row by row --- */

static void objects_csv(buf *out, struct json_object *answer)
{
    buf_puts(out, "uuid," LABEL_HEADS("label") "count,maxRisk,averageRate," SUPPORT_HEADS);
    for (size_t i = 0; i < json_object_array_length(answer); i++) {
        struct json_object *o = json_object_array_get_idx(answer, i), *averages = member(o, "averages");
        cell(out, member(o, "object"));
        labels_cells(out, member(o, "labels"));
        cell(out, member(averages, "count"));
        cell(out, member(averages, "maxRisk"));
        cell(out, member(averages, "averageRate"));
        support_cells(out, o);
    }
}

static const char *const states[] = {"current", "residual"};

/* Risks: one row per state, kind and level; none when the floor hides the figure. */
static void risks_csv(buf *out, struct json_object *answer)
{
    buf_puts(out, "state,kind,level,value," SUPPORT_HEADS);
    for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
        struct json_object *kinds = member(answer, states[s]);
        if (!kinds)
            continue;
        json_object_object_foreach(kinds, kind, levels) {
            json_object_object_foreach(levels, level, value) {
                text_cell(out, states[s]);
                text_cell(out, kind);
                text_cell(out, level);
                cell(out, value);
                support_cells(out, answer);
            }
        }
    }
}

/* The risk map: one row per non-empty cell (the column is the likelihood of
 * information risks, the probability of operational ones). */
static void cartography_csv(buf *out, struct json_object *answer)
{
    buf_puts(out, "state,kind,impact,column,risks," SUPPORT_HEADS);
    struct json_object *risks = member(answer, "risks");
    for (size_t s = 0; risks && s < sizeof states / sizeof states[0]; s++) {
        struct json_object *kinds = member(risks, states[s]);
        if (!kinds)
            continue;
        json_object_object_foreach(kinds, kind, rows) {
            json_object_object_foreach(rows, impact, columns) {
                json_object_object_foreach(columns, column, count) {
                    text_cell(out, states[s]);
                    text_cell(out, kind);
                    text_cell(out, impact);
                    text_cell(out, column);
                    cell(out, count);
                    support_cells(out, answer);
                }
            }
        }
    }
}

/* Compliance: one row per category of each referential, levels 0–1. */
static void compliance_csv(buf *out, struct json_object *answer)
{
    buf_puts(out, "referential," LABEL_HEADS("referential") LABEL_HEADS("category")
                  "current,target,controls," SUPPORT_HEADS);
    for (size_t i = 0; i < json_object_array_length(answer); i++) {
        struct json_object *r = json_object_array_get_idx(answer, i), *categories = member(r, "categories");
        for (size_t c = 0; categories && c < json_object_array_length(categories); c++) {
            struct json_object *category = json_object_array_get_idx(categories, c);
            cell(out, member(r, "referential"));
            labels_cells(out, member(r, "labels"));
            labels_cells(out, member(category, "labels"));
            cell(out, member(category, "current"));
            cell(out, member(category, "target"));
            cell(out, member(category, "controls"));
            support_cells(out, r);
        }
    }
}

struct dataset {
    const char *name;     /* /open-data/<name>.csv, as /stats/<name>.json */
    enum stats_type type;
    void (*write)(buf *out, struct json_object *answer);
};

static const struct dataset datasets[] = {
    {"threats", STATS_THREAT, objects_csv},
    {"vulnerabilities", STATS_VULNERABILITY, objects_csv},
    {"risks", STATS_RISK, risks_csv},
    {"cartography", STATS_CARTOGRAPHY, cartography_csv},
    {"compliance", STATS_COMPLIANCE, compliance_csv},
};

/* The CSV of `d` into out, from its public answer; false on a store error
 * (answered). */
static bool write_dataset(struct request *req, const struct dataset *d, buf *out)
{
    struct stats_filter f = {0};
    f.sharing_only = true;
    f.get_last = true;
    f.has_type = true;
    f.type = d->type;
    const struct processor *p = processor_public_default(d->type);
    assert(p); /* each dataset's kind has a public route */
    buf json = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &json);
    enum store_rc rc = web_public_run(req, p, &f, 0, req->cfg->min_organisations, &w);
    if (rc != STORE_OK) {
        reply_store_error(req, "open data");
        buf_free(&json);
        return false;
    }
    char err[160];
    struct json_object *answer = json_parse_strict(json.data, json.len, err, sizeof err);
    assert(answer); /* our own writer's output */
    buf_puts(out, BOM);
    d->write(out, answer);
    json_object_put(answer);
    buf_free(&json);
    return true;
}

static void open_data_csv(struct request *req)
{
    const struct dataset *d = NULL;
    for (size_t i = 0; i < sizeof datasets / sizeof datasets[0]; i++)
        if (strcmp(req->path_params[0], datasets[i].name) == 0)
            d = &datasets[i];
    if (!d) {
        /* The name is not echoed: it is whatever bytes the path held. */
        reply_error(req, 404, "No such open dataset. Datasets: threats, vulnerabilities, risks, cartography, "
                    "compliance.", NULL);
        return;
    }
    if (!request_params(req, NULL, 0, NULL))
        return;
    buf key = BUF_INIT, csv = BUF_INIT, disposition = BUF_INIT;
    buf_printf(&key, "open-data|%s", d->name);
    struct stats_versions versions;
    if (!req->store || store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "open data versions");
    } else if (!answer_cache_serve(req, key.data, ANSWER_TYPE(d->type), &versions) &&
               write_dataset(req, d, &csv)) {
        reply_text(req, 200, CSV_TYPE, csv.data, csv.len);
        answer_cache_store(req, key.data, &versions);
    }
    if (req->status == 200) {
        buf_printf(&disposition, "attachment; filename=\"%s-" PERIOD ".csv\"", d->name);
        reply_header(req, "Content-Disposition", disposition.data);
    }
    buf_free(&key);
    buf_free(&csv);
    buf_free(&disposition);
}

static void open_data_page(struct request *req)
{
    struct web_var vars[] = {{"data_license", req->cfg->data_license}};
    web_page(req, "open-data", vars, 1);
}

const struct route web_open_data_routes[] = {
    {"GET", "/open-data/<name>.csv", open_data_csv, ROUTE_PUBLIC},
};
const size_t web_open_data_routes_count = sizeof web_open_data_routes / sizeof web_open_data_routes[0];

const struct route web_open_data_page_routes[] = {
    {"GET", "/open-data", open_data_page, ROUTE_PUBLIC},
};
const size_t web_open_data_page_routes_count =
    sizeof web_open_data_page_routes / sizeof web_open_data_page_routes[0];
