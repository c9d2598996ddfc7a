/*
 * test_validate.c — unit tests of stats/stats.c and stats/validate.c: every
 * real MONARC fixture validates; each wrong field of each type is reported at
 * its exact path; all problems of a batch come out at once; item fields are
 * normalised (lower-case UUIDs, dates truncated, data as compact text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json_pointer.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "stats/stats.h"
#include "util/json.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- helpers ---------------------------------------------------------------- */

static struct json_object *parse(const char *text)
{
    char err[200];
    struct json_object *obj = json_parse_strict(text, strlen(text), err, sizeof err);
    if (!obj)
        fail_msg("test JSON refused: %s", err);
    return obj;
}

/* The whole file, or NULL (errno set) when it cannot be opened. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_detach(&b, len);
}

/* The fixtures directory: $STATS_FIXTURES (set by meson), else tests/fixtures/monarc/
 * of the source tree. */
static void fixture_path(const char *name, buf *path)
{
    const char *dir = getenv("STATS_FIXTURES");
    if (dir && *dir)
        buf_printf(path, "%s/%s", dir, name);
    else
        buf_printf(path, "%s/tests/fixtures/monarc/%s", STATS_SOURCE_ROOT, name);
}

/* Everything is freed before a failure: fail_msg() does not return. */
static struct json_object *load_fixture(const char *name)
{
    buf path = BUF_INIT;
    fixture_path(name, &path);
    char msg[600];
    size_t len;
    char *text = read_file(path.data, &len);
    if (!text) {
        snprintf(msg, sizeof msg, "fixture %s: cannot open %s: %s", name, path.data, strerror(errno));
        buf_free(&path);
        fail_msg("%s", msg);
    }
    char err[200];
    struct json_object *batch = json_parse_strict(text, len, err, sizeof err);
    free(text);
    if (!batch) {
        snprintf(msg, sizeof msg, "fixture %s: %s", path.data, err);
        buf_free(&path);
        fail_msg("%s", msg);
    }
    buf_free(&path);
    return batch;
}

/* The problems as JSON text, for a failure message (the caller frees got). */
static void errors_text(const struct error_list *errs, buf *got)
{
    struct json_writer w;
    jw_init(&w, got);
    error_list_to_json(errs, &w);
}

static void assert_fields(const struct error_list *errs, const char *const *fields, size_t n,
                          const char *what)
{
    bool same = errs->count == n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(errs->items[i].field, fields[i]) == 0;
    if (same)
        return;
    buf got = BUF_INIT;
    errors_text(errs, &got);
    print_error("%s: want %zu error(s) starting at %s, got %s\n", what, n, n ? fields[0] : "-", got.data);
    buf_free(&got);
    fail();
}

/* ---- type names --------------------------------------------------------------- */

static void test_type_names(void **state)
{
    static const char *const names[] = {"risk", "threat", "vulnerability", "cartography", "compliance"};
    for (int t = 0; t < STATS_TYPE_COUNT; t++) {
        assert_string_equal(stats_type_name((enum stats_type)t), names[t]);
        enum stats_type parsed;
        assert_true(stats_type_parse(names[t], &parsed));
        assert_int_equal(parsed, t);
    }
    static const char *const wrong[] = {"Risk", "RISK", "risks", "", " risk", "threat ", "compliance\n"};
    for (size_t i = 0; i < COUNT(wrong); i++) {
        enum stats_type parsed;
        if (stats_type_parse(wrong[i], &parsed))
            fail_msg("accepted \"%s\"", wrong[i]);
    }
    enum stats_type parsed;
    assert_false(stats_type_parse(NULL, &parsed));
    assert_null(stats_type_name(STATS_TYPE_COUNT));
}

/* ---- fixtures ----------------------------------------------------------------- */

static void test_fixtures_validate(void **state)
{
    static const struct { const char *name; size_t items; } files[] = {
        {"risk.json", 2}, {"threat.json", 2}, {"vulnerability.json", 2}, {"cartography.json", 2},
        {"compliance.json", 2}, {"full-batch.json", 10}, {"edge-cases.json", 4},
    };
    for (size_t f = 0; f < COUNT(files); f++) {
        struct json_object *batch = load_fixture(files[f].name);
        assert_true(json_object_is_type(batch, json_type_array));
        assert_int_equal(json_object_array_length(batch), files[f].items);
        for (size_t i = 0; i < files[f].items; i++) {
            struct json_object *obj = json_object_array_get_idx(batch, i);
            struct error_list errs = ERROR_LIST_INIT;
            struct stats_item item;
            bool ok = stats_item_from_json(obj, i, &item, &errs);
            if (!ok || errs.count) {
                buf got = BUF_INIT;
                errors_text(&errs, &got);
                fail_msg("%s[%zu]: %s", files[f].name, i, got.data);
            }
            struct json_object *data, *type;
            assert_true(json_object_object_get_ex(obj, "data", &data));
            assert_true(json_object_object_get_ex(obj, "type", &type));
            assert_string_equal(item.data, json_text(data));
            assert_string_equal(stats_type_name(item.type), json_object_get_string(type));
            /* the fixtures' analyses are dated 2026-03-09, the edge cases 2026-03-10 */
            if (strcmp(item.date, "2026-03-09") != 0 && strcmp(item.date, "2026-03-10") != 0)
                fail_msg("%s[%zu]: date %s", files[f].name, i, item.date);
            assert_string_equal(item.uuid, "");
            assert_true(uuid_is_valid(item.anr));
            stats_item_free(&item);
            assert_null(item.data);
            error_list_free(&errs);
        }
        json_object_put(batch);
    }
}

/* The stored text is compact, with raw UTF-8 and unescaped slashes. */
static void test_fixture_data_text(void **state)
{
    struct json_object *batch = load_fixture("edge-cases.json");
    struct error_list errs = ERROR_LIST_INIT;
    struct stats_item item;
    assert_true(stats_item_from_json(json_object_array_get_idx(batch, 0), 0, &item, &errs));
    assert_non_null(strstr(item.data, "\"label1\":\"Vol / destruction de supports\""));
    assert_non_null(strstr(item.data, "\"label2\":\"Theft / destruction of media\""));
    /* \u00e8 and the surrogate pair \ud83d\udd12 (U+1F512) as UTF-8 */
    assert_non_null(strstr(item.data, "\"label1\":\"Abus de droits d'acc\xc3\xa8s \xf0\x9f\x94\x92\""));
    assert_non_null(strstr(item.data, "\"label3\":null,\"label4\":null"));
    assert_non_null(strstr(item.data, "\"averageRate\":\"0.70\""));
    assert_null(strstr(item.data, "\\u"));
    assert_null(strstr(item.data, "\\/"));
    stats_item_free(&item);
    json_object_put(batch);
}

/* ---- mutations: each wrong field is reported at its exact path ------------------- */

static const char risk_item[] =
    "{\"anr\":\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"risk\",\"date\":\"2026-05-18\",\"data\":"
    "{\"total\":{\"current\":{\"informational\":65,\"operational\":15},"
    "\"residual\":{\"informational\":65,\"operational\":15}},"
    "\"risks\":{\"current\":{\"informational\":[{\"level\":\"Low risks\",\"value\":43},"
    "{\"level\":\"Medium risks\",\"value\":14},{\"level\":\"High risks\",\"value\":8}],"
    "\"operational\":[{\"level\":\"Low risks\",\"value\":6},{\"level\":\"Medium risks\",\"value\":3},"
    "{\"level\":\"High risks\",\"value\":6}]},"
    "\"residual\":{\"informational\":[{\"level\":\"Low risks\",\"value\":52},"
    "{\"level\":\"Medium risks\",\"value\":10},{\"level\":\"High risks\",\"value\":3}],"
    "\"operational\":[{\"level\":\"Low risks\",\"value\":12},{\"level\":\"Medium risks\",\"value\":3},"
    "{\"level\":\"High risks\",\"value\":0}]}}}}";

static const char threat_item[] =
    "{\"anr\":\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":["
    "{\"uuid\":\"b402d4e0-4576-11e9-9173-0800277f0571\",\"label1\":\"Erreur d'utilisation\","
    "\"label2\":\"Error in use\",\"label3\":\"Benutzungsfehler\",\"label4\":\"Gebruiksfout\","
    "\"maxRisk\":36,\"count\":12,\"averageRate\":\"2.82\"},"
    "{\"uuid\":\"b402d557-4576-11e9-9173-0800277f0571\",\"label1\":\"\\u00c9coute passive\","
    "\"label2\":\"Eavesdropping\",\"label3\":null,\"label4\":null,"
    "\"maxRisk\":0,\"count\":2,\"averageRate\":\"0.50\"}]}";

static const char vulnerability_item[] =
    "{\"anr\":\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"vulnerability\",\"date\":\"2026-05-18\","
    "\"data\":[{\"uuid\":\"69fc1ab1-4591-11e9-9173-0800277f0571\",\"label1\":\"Absence de charte\","
    "\"label2\":\"No IT charter\",\"label3\":\"Fehlende Charta\",\"label4\":\"Gebrek aan charter\","
    "\"count\":2,\"maxRisk\":36,\"averageRate\":\"4.00\"}]}";

static const char cartography_item[] =
    "{\"anr\":\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"cartography\",\"date\":\"2026-05-18\","
    "\"data\":{\"scales\":{\"impact\":[0,1,2,3,4],\"probability\":[0,1,2,3,4],"
    "\"likelihood\":[0,1,2,3,4,5,6,8]},"
    "\"risks\":{\"current\":{\"informational\":{\"1\":{\"0\":4,\"2\":3},\"2\":{\"1\":3}},"
    "\"operational\":{\"1\":[3,1],\"2\":{\"1\":2}}},"
    "\"residual\":{\"informational\":{\"1\":{\"0\":4},\"2\":{\"1\":5}},\"operational\":[]}}}}";

static const char compliance_item[] =
    "{\"anr\":\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"compliance\",\"date\":\"2026-05-18\","
    "\"data\":[{\"referential\":\"98ca84fb-db87-11e8-ac77-0800279aaa2b\",\"label1\":\"ISO 27002\","
    "\"label2\":\"ISO 27002\",\"label3\":\"ISO 27002\",\"label4\":\"ISO 27002\","
    "\"current\":[{\"label1\":\"Politiques\",\"label2\":\"Policies\",\"label3\":\"Politik\","
    "\"label4\":\"Beleid\",\"controls\":[{\"code\":\"5.1.1\","
    "\"measure\":\"267fc596-f705-11e8-b555-0800279aaa2b\",\"value\":\"0.80\"}],\"value\":\"0.70\"}],"
    "\"target\":[{\"label1\":\"Politiques\",\"label2\":\"Policies\",\"label3\":\"Politik\","
    "\"label4\":\"Beleid\",\"controls\":[{\"code\":\"5.1.1\","
    "\"measure\":\"267fc596-f705-11e8-b555-0800279aaa2b\",\"value\":\"1\"}],\"value\":\"1.00\"}]}]}";

/*
 * Sets the JSON-pointer location in a copy of `base` to `value` (JSON text) or,
 * when value is NULL, deletes it; `field` is the one error expected, or NULL
 * when the mutated item must still be valid.
 */
struct mutation {
    const char *base;
    const char *pointer;
    const char *value;
    const char *field;
};

#define DELETE NULL
#define VALID NULL

static const struct mutation mutations[] = {
    /* Item members (on a risk item). */
    {risk_item, "/anr", "12", "[0].anr"},
    {risk_item, "/anr", "\"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6\"", "[0].anr"},
    {risk_item, "/anr", "null", "[0].anr"},
    {risk_item, "/anr", DELETE, "[0].anr"},
    {risk_item, "/uuid", "\"not-a-uuid\"", "[0].uuid"},
    {risk_item, "/uuid", "\"\"", "[0].uuid"},
    {risk_item, "/uuid", "1", "[0].uuid"},
    {risk_item, "/uuid", "null", VALID},
    {risk_item, "/uuid", "\"0B8E2A71-3C5D-4E9F-A1B2-C3D4E5F60718\"", VALID},
    {risk_item, "/type", "\"Risk\"", "[0].type"},
    {risk_item, "/type", "\"risks\"", "[0].type"},
    {risk_item, "/type", "[\"risk\"]", "[0].type"},
    {risk_item, "/type", DELETE, "[0].type"},
    {risk_item, "/date", "\"2026-02-30\"", "[0].date"},
    {risk_item, "/date", "\"18/05/2026\"", "[0].date"},
    {risk_item, "/date", "20260518", "[0].date"},
    {risk_item, "/date", DELETE, "[0].date"},
    {risk_item, "/date", "\"2026-05-18T23:30:00+02:00\"", VALID},
    {risk_item, "/data", DELETE, "[0].data"},
    {risk_item, "/client", "1", "[0].client"},
    {risk_item, "/Data", "{}", "[0].Data"},

    /* risk */
    {risk_item, "/data", "[]", "[0].data"},
    {risk_item, "/data", "null", "[0].data"},
    {risk_item, "/data/risks", DELETE, "[0].data.risks"},
    {risk_item, "/data/risks", "\"x\"", "[0].data.risks"},
    {risk_item, "/data/risks/current", DELETE, "[0].data.risks.current"},
    {risk_item, "/data/risks/residual", "1", "[0].data.risks.residual"},
    {risk_item, "/data/risks/current/informational", "{}", "[0].data.risks.current.informational"},
    {risk_item, "/data/risks/residual/operational", DELETE, "[0].data.risks.residual.operational"},
    {risk_item, "/data/risks/current/informational/2", DELETE, "[0].data.risks.current.informational"},
    {risk_item, "/data/risks/current/informational/-", "{\"level\":\"Low risks\",\"value\":1}",
     "[0].data.risks.current.informational"},
    {risk_item, "/data/risks/current/informational/1", "5", "[0].data.risks.current.informational[1]"},
    {risk_item, "/data/risks/current/informational/1/value", "true",
     "[0].data.risks.current.informational[1].value"},
    {risk_item, "/data/risks/residual/operational/2/value", "\"abc\"",
     "[0].data.risks.residual.operational[2].value"},
    {risk_item, "/data/risks/residual/informational/0/value", "null",
     "[0].data.risks.residual.informational[0].value"},
    {risk_item, "/data/risks/current/operational/0/value", "\"1e400\"",
     "[0].data.risks.current.operational[0].value"},
    {risk_item, "/data/risks/current/operational/0/value", DELETE,
     "[0].data.risks.current.operational[0].value"},
    {risk_item, "/data/risks/current/informational/0/level", "\"Medium risks\"",
     "[0].data.risks.current.informational[0].level"},
    {risk_item, "/data/risks/current/informational/2/level", "3",
     "[0].data.risks.current.informational[2].level"},
    {risk_item, "/data/risks/current/informational/1/level", DELETE,
     "[0].data.risks.current.informational[1].level"},
    {risk_item, "/data/risks/current/informational/0/level", "\"low risks\"",
     "[0].data.risks.current.informational[0].level"},
    {risk_item, "/data/total", "[]", "[0].data.total"},
    {risk_item, "/data/total/residual", DELETE, "[0].data.total.residual"},
    {risk_item, "/data/total/current/informational", "\"x\"", "[0].data.total.current.informational"},
    {risk_item, "/data/total", DELETE, VALID},
    {risk_item, "/data/risks/current/informational/1/value", "\"14\"", VALID},
    {risk_item, "/data/risks/current/informational/1/value", "14.5", VALID},
    {risk_item, "/data/risks/current/informational/1/extra", "[1]", VALID},
    {risk_item, "/data/extra", "{\"x\":1}", VALID},

    /* threat */
    {threat_item, "/data", "{}", "[0].data"},
    {threat_item, "/data", "[]", VALID},
    {threat_item, "/data/0", "\"x\"", "[0].data[0]"},
    {threat_item, "/data/1/uuid", "\"zzz\"", "[0].data[1].uuid"},
    {threat_item, "/data/1/uuid", "5", "[0].data[1].uuid"},
    {threat_item, "/data/1/uuid", DELETE, "[0].data[1].uuid"},
    {threat_item, "/data/0/label1", "5", "[0].data[0].label1"},
    {threat_item, "/data/0/label2", "true", "[0].data[0].label2"},
    {threat_item, "/data/1/label3", "{}", "[0].data[1].label3"},
    {threat_item, "/data/0/label4", "[]", "[0].data[0].label4"},
    {threat_item, "/data/0/label1", "null", VALID},
    {threat_item, "/data/0/label4", DELETE, VALID},
    {threat_item, "/data/0/maxRisk", "true", "[0].data[0].maxRisk"},
    {threat_item, "/data/0/maxRisk", DELETE, "[0].data[0].maxRisk"},
    {threat_item, "/data/1/count", "{}", "[0].data[1].count"},
    {threat_item, "/data/1/count", "\"two\"", "[0].data[1].count"},
    {threat_item, "/data/0/averageRate", "\"2,8\"", "[0].data[0].averageRate"},
    {threat_item, "/data/0/averageRate", "\" 2.8\"", "[0].data[0].averageRate"},
    {threat_item, "/data/0/averageRate", DELETE, "[0].data[0].averageRate"},
    {threat_item, "/data/0/averageRate", "2.82", VALID},
    {threat_item, "/data/0/count", "\"12\"", VALID},

    /* vulnerability: the same shape */
    {vulnerability_item, "/data", "\"[]\"", "[0].data"},
    {vulnerability_item, "/data/0/uuid", "\"69fc1ab1-4591-11e9-9173\"", "[0].data[0].uuid"},
    {vulnerability_item, "/data/0/label3", "0", "[0].data[0].label3"},
    {vulnerability_item, "/data/0/count", "null", "[0].data[0].count"},
    {vulnerability_item, "/data/0/maxRisk", "[36]", "[0].data[0].maxRisk"},
    {vulnerability_item, "/data/0/averageRate", "false", "[0].data[0].averageRate"},
    {vulnerability_item, "/data/-", "[]", "[0].data[1]"},

    /* cartography */
    {cartography_item, "/data", "[]", "[0].data"},
    {cartography_item, "/data/scales", DELETE, "[0].data.scales"},
    {cartography_item, "/data/scales", "[]", "[0].data.scales"},
    {cartography_item, "/data/scales/impact", "{}", "[0].data.scales.impact"},
    {cartography_item, "/data/scales/probability", DELETE, "[0].data.scales.probability"},
    {cartography_item, "/data/scales/likelihood/2", "\"x\"", "[0].data.scales.likelihood[2]"},
    {cartography_item, "/data/scales/likelihood/2", "1.5", "[0].data.scales.likelihood[2]"},
    {cartography_item, "/data/scales/likelihood", "[]", VALID},
    {cartography_item, "/data/risks", DELETE, "[0].data.risks"},
    {cartography_item, "/data/risks/current", "[]", "[0].data.risks.current"},
    {cartography_item, "/data/risks/current/informational", "\"x\"", "[0].data.risks.current.informational"},
    {cartography_item, "/data/risks/current/informational", "3", "[0].data.risks.current.informational"},
    {cartography_item, "/data/risks/residual/operational", DELETE, "[0].data.risks.residual.operational"},
    {cartography_item, "/data/risks/current/informational/1/0", "-1",
     "[0].data.risks.current.informational.1.0"},
    {cartography_item, "/data/risks/current/informational/1/0", "1.5",
     "[0].data.risks.current.informational.1.0"},
    {cartography_item, "/data/risks/current/informational/1/0", "null",
     "[0].data.risks.current.informational.1.0"},
    {cartography_item, "/data/risks/current/informational/1/0", "\"4\"", VALID},
    {cartography_item, "/data/risks/current/operational/1/1", "\"x\"",
     "[0].data.risks.current.operational.1[1]"},
    {cartography_item, "/data/risks/current/operational/1/-", "true",
     "[0].data.risks.current.operational.1[2]"},
    {cartography_item, "/data/risks/residual/informational/x", "{}",
     "[0].data.risks.residual.informational.x"},
    {cartography_item, "/data/risks/residual/informational/-1", "{}",
     "[0].data.risks.residual.informational.-1"},
    {cartography_item, "/data/risks/residual/informational/2/01", "1",
     "[0].data.risks.residual.informational.2.01"},
    {cartography_item, "/data/risks/residual/informational/2/1234567890", "1",
     "[0].data.risks.residual.informational.2.1234567890"},
    {cartography_item, "/data/risks/residual/informational/2", "3",
     "[0].data.risks.residual.informational.2"},
    {cartography_item, "/data/risks/residual/informational/2", "null",
     "[0].data.risks.residual.informational.2"},
    {cartography_item, "/data/risks/residual/informational/2", "[]", VALID},
    {cartography_item, "/data/risks/residual/informational", "{}", VALID},
    {cartography_item, "/data/risks/residual/informational", "[[1,2],{\"0\":3},[]]", VALID},
    {cartography_item, "/data/risks/residual/informational", "[[1,\"x\"]]",
     "[0].data.risks.residual.informational[0][1]"},
    {cartography_item, "/data/risks/residual/informational/10", "{\"0\":1,\"123\":0}", VALID},

    /* compliance */
    {compliance_item, "/data", "{}", "[0].data"},
    {compliance_item, "/data", "[]", VALID},
    {compliance_item, "/data/0", "[]", "[0].data[0]"},
    {compliance_item, "/data/0/referential", "\"x\"", "[0].data[0].referential"},
    {compliance_item, "/data/0/referential", DELETE, "[0].data[0].referential"},
    {compliance_item, "/data/0/label2", "1", "[0].data[0].label2"},
    {compliance_item, "/data/0/label2", "null", VALID},
    {compliance_item, "/data/0/current", "{}", "[0].data[0].current"},
    {compliance_item, "/data/0/target", DELETE, "[0].data[0].target"},
    {compliance_item, "/data/0/current/0", "1", "[0].data[0].current[0]"},
    {compliance_item, "/data/0/current/0/value", "\"high\"", "[0].data[0].current[0].value"},
    {compliance_item, "/data/0/target/0/value", DELETE, "[0].data[0].target[0].value"},
    {compliance_item, "/data/0/target/0/value", "0.85", VALID},
    {compliance_item, "/data/0/current/0/label3", "true", "[0].data[0].current[0].label3"},
    {compliance_item, "/data/0/current/0/label1", DELETE, VALID},
    {compliance_item, "/data/0/target/0/controls", "{}", "[0].data[0].target[0].controls"},
    {compliance_item, "/data/0/target/0/controls", DELETE, "[0].data[0].target[0].controls"},
    {compliance_item, "/data/0/target/0/controls", "[]", VALID},
    {compliance_item, "/data/0/current/0/controls/0", "\"5.1.1\"", "[0].data[0].current[0].controls[0]"},
    {compliance_item, "/data/0/current/0/controls/0/value", "\"not read\"", VALID},
    {compliance_item, "/data/0/current/0/controls/0/measure", DELETE, VALID},
};

/* Deletes the member or element the pointer names (json-c 0.16 has no json_pointer delete). */
static void pointer_delete(struct json_object *root, const char *pointer)
{
    const char *slash = strrchr(pointer, '/');
    char *parent_ptr = xstrndup(pointer, (size_t)(slash - pointer));
    struct json_object *parent = root;
    if (*parent_ptr && json_pointer_get(root, parent_ptr, &parent) != 0)
        fail_msg("no parent for %s", pointer);
    if (json_object_is_type(parent, json_type_array))
        assert_int_equal(json_object_array_del_idx(parent, (size_t)atoi(slash + 1), 1), 0);
    else {
        assert_true(json_object_object_get_ex(parent, slash + 1, NULL));
        json_object_object_del(parent, slash + 1);
    }
    free(parent_ptr);
}

static struct json_object *mutate(const struct mutation *m)
{
    struct json_object *item = parse(m->base);
    /* JSON null is json-c's NULL, which json_parse_strict() refuses as a whole text. */
    struct json_object *value = m->value && strcmp(m->value, "null") != 0 ? parse(m->value) : NULL;
    if (m->value == DELETE)
        pointer_delete(item, m->pointer);
    else if (json_pointer_set(&item, m->pointer, value) != 0)
        fail_msg("cannot set %s", m->pointer);
    return item;
}

static void test_mutations(void **state)
{
    for (size_t i = 0; i < COUNT(mutations); i++) {
        const struct mutation *m = &mutations[i];
        struct json_object *item = mutate(m);
        struct error_list errs = ERROR_LIST_INIT;
        struct stats_item out;
        bool ok = stats_item_from_json(item, 0, &out, &errs);
        char what[300];
        snprintf(what, sizeof what, "mutation %zu (%s = %s)", i, m->pointer, m->value ? m->value : "deleted");
        if (m->field) {
            assert_fields(&errs, &m->field, 1, what);
            if (ok)
                fail_msg("%s: reported but accepted", what);
        } else {
            assert_fields(&errs, NULL, 0, what);
            assert_true(ok);
            stats_item_free(&out);
        }
        error_list_free(&errs);
        json_object_put(item);
    }
}

/* The base items themselves are valid; the mutations above start from them. */
static void test_base_items_valid(void **state)
{
    static const char *const bases[] = {risk_item, threat_item, vulnerability_item, cartography_item,
                                        compliance_item};
    for (size_t i = 0; i < COUNT(bases); i++) {
        struct json_object *item = parse(bases[i]);
        struct error_list errs = ERROR_LIST_INIT;
        struct stats_item out;
        assert_true(stats_item_from_json(item, 7, &out, &errs));
        assert_fields(&errs, NULL, 0, "base item");
        assert_int_equal(out.type, (enum stats_type)i);
        stats_item_free(&out);
        json_object_put(item);
    }
}

/* ---- whole items and batches --------------------------------------------------- */

static void test_all_problems_at_once(void **state)
{
    struct json_object *batch = parse("[]");
    json_object_array_add(batch, parse(threat_item));
    struct json_object *bad = parse(risk_item);
    json_object_object_add(bad, "anr", json_object_new_string("nope"));
    json_object_object_add(bad, "date", json_object_new_string("2026-02-30"));
    json_object_object_add(bad, "color", json_object_new_string("blue"));
    struct json_object *level = NULL;
    assert_int_equal(json_pointer_get(bad, "/data/risks/current/informational/1", &level), 0);
    json_object_object_add(level, "value", json_object_new_boolean(1));
    json_object_object_del(json_object_object_get(bad, "data"), "total");
    json_object_array_add(batch, bad);
    json_object_array_add(batch, json_object_new_string("not an item"));
    json_object_array_add(batch, parse("{\"type\":\"threats\",\"data\":{}}"));

    struct error_list errs = ERROR_LIST_INIT;
    bool verdicts[4];
    for (size_t i = 0; i < 4; i++) {
        struct stats_item out;
        verdicts[i] = stats_item_from_json(json_object_array_get_idx(batch, i), i, &out, &errs);
        if (verdicts[i])
            stats_item_free(&out);
    }
    assert_true(verdicts[0]);
    assert_false(verdicts[1]);
    assert_false(verdicts[2]);
    assert_false(verdicts[3]);
    static const char *const fields[] = {
        "[1].color", "[1].anr", "[1].date", "[1].data.risks.current.informational[1].value",
        "[2]",
        "[3].anr", "[3].type", "[3].date",
    };
    assert_fields(&errs, fields, COUNT(fields), "batch");
    assert_string_equal(errs.items[0].message,
                        "Unknown member 'color'; an item has only uuid, anr, type, date and data.");
    assert_string_equal(errs.items[1].message, "Must be a UUID.");
    assert_string_equal(errs.items[2].message,
                        "Must be a calendar date, YYYY-MM-DD or an ISO 8601 date-time.");
    assert_string_equal(errs.items[3].message, "Must be a number or a numeric string.");
    assert_string_equal(errs.items[4].message, "Must be an object.");
    assert_string_equal(errs.items[5].message, "Missing required member.");
    error_list_free(&errs);
    json_object_put(batch);
}

/* One broken item can hold many problems; every one is listed. */
static void test_many_problems_in_one_item(void **state)
{
    struct json_object *item = parse(cartography_item);
    struct json_object *scales = NULL;
    assert_int_equal(json_pointer_get(item, "/data/scales", &scales), 0);
    json_object_object_add(scales, "impact", parse("[\"a\",1,\"b\"]"));
    json_object_object_del(scales, "likelihood");
    struct json_object *risks = NULL;
    assert_int_equal(json_pointer_get(item, "/data/risks", &risks), 0);
    json_object_object_add(risks, "residual", parse("{\"informational\":{\"a\":[-1]}}"));

    struct error_list errs = ERROR_LIST_INIT;
    struct stats_item out;
    assert_false(stats_item_from_json(item, 3, &out, &errs));
    static const char *const fields[] = {
        "[3].data.scales.impact[0]", "[3].data.scales.impact[2]", "[3].data.scales.likelihood",
        "[3].data.risks.residual.informational.a", "[3].data.risks.residual.operational",
    };
    assert_fields(&errs, fields, COUNT(fields), "cartography");
    error_list_free(&errs);
    json_object_put(item);
}

static void test_item_normalisation(void **state)
{
    struct json_object *item = parse(
        "{\"uuid\":\"0B8E2A71-3C5D-4E9F-A1B2-C3D4E5F60718\",\"anr\":\"6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6F\","
        "\"type\":\"threat\",\"date\":\"2026-05-18T23:30:00.5+02:00\","
        "\"data\":[ {\"uuid\":\"B402D4E0-4576-11E9-9173-0800277F0571\", \"label1\":\"\\u00e9t\\u00e9 \\/ hiver\","
        "\"maxRisk\":1.50,\"count\":\"3\",\"averageRate\":\"2.50\"} ]}");
    struct error_list errs = ERROR_LIST_INIT;
    struct stats_item out;
    assert_true(stats_item_from_json(item, 0, &out, &errs));
    assert_string_equal(out.uuid, "0b8e2a71-3c5d-4e9f-a1b2-c3d4e5f60718");
    assert_string_equal(out.anr, "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f");
    assert_int_equal(out.type, STATS_THREAT);
    assert_string_equal(out.date, "2026-05-18");
    /* data as received, compact: numbers and strings keep their text, UUIDs inside untouched */
    assert_string_equal(out.data,
                        "[{\"uuid\":\"B402D4E0-4576-11E9-9173-0800277F0571\",\"label1\":\"\xc3\xa9t\xc3\xa9 / hiver\","
                        "\"maxRisk\":1.50,\"count\":\"3\",\"averageRate\":\"2.50\"}]");
    stats_item_free(&out);
    json_object_put(item);

    item = parse(risk_item);
    json_object_object_add(item, "uuid", NULL);
    assert_true(stats_item_from_json(item, 0, &out, &errs));
    assert_string_equal(out.uuid, "");
    stats_item_free(&out);
    json_object_put(item);
    assert_int_equal(errs.count, 0);
}

static void test_dates(void **state)
{
    static const struct { const char *date, *stored; } cases[] = {
        {"2026-05-18", "2026-05-18"},
        {"2024-02-29", "2024-02-29"},
        {"2026-05-18T10:00:00Z", "2026-05-18"},
        {"2026-05-18 10:00:00+02:00", "2026-05-18"},
        {"2026-02-30", NULL},
        {"2025-02-29", NULL},
        {"2026-05-18Z", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct json_object *item = parse(threat_item);
        json_object_object_add(item, "date", json_object_new_string(cases[i].date));
        struct error_list errs = ERROR_LIST_INIT;
        struct stats_item out;
        bool ok = stats_item_from_json(item, 0, &out, &errs);
        if (ok != (cases[i].stored != NULL))
            fail_msg("date \"%s\": verdict %d", cases[i].date, ok);
        if (ok) {
            assert_string_equal(out.date, cases[i].stored);
            stats_item_free(&out);
        } else {
            static const char *const field[] = {"[0].date"};
            assert_fields(&errs, field, 1, cases[i].date);
        }
        error_list_free(&errs);
        json_object_put(item);
    }
}

/* An item's verdict does not depend on how full the caller's list already is. */
static void test_verdict_with_full_error_list(void **state)
{
    struct error_list errs = ERROR_LIST_INIT;
    for (int i = 0; i < ERROR_LIST_MAX; i++)
        error_list_add(&errs, "[0]", "filler %d", i);
    struct json_object *good = parse(risk_item), *bad = parse("{\"anr\":1}");
    struct stats_item out;
    assert_true(stats_item_from_json(good, 1, &out, &errs));
    stats_item_free(&out);
    assert_false(stats_item_from_json(bad, 2, &out, &errs));
    assert_int_equal(errs.count, ERROR_LIST_MAX);
    json_object_put(good);
    json_object_put(bad);
    error_list_free(&errs);
}

static void test_validate_data_path_prefix(void **state)
{
    struct json_object *data = parse("{\"risks\":{\"current\":{},\"residual\":[]}}");
    struct error_list errs = ERROR_LIST_INIT;
    stats_validate_data(STATS_RISK, data, "[12].data", &errs);
    static const char *const fields[] = {
        "[12].data.risks.current.informational", "[12].data.risks.current.operational",
        "[12].data.risks.residual",
    };
    assert_fields(&errs, fields, COUNT(fields), "prefix");
    error_list_free(&errs);

    stats_validate_data(STATS_COMPLIANCE, data, "", &errs);
    static const char *const root[] = {""};
    assert_fields(&errs, root, 1, "empty prefix");
    assert_string_equal(errs.items[0].message, "Must be a list.");
    error_list_free(&errs);
    json_object_put(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_fixtures_validate),
        cmocka_unit_test(test_fixture_data_text),
        cmocka_unit_test(test_base_items_valid),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_all_problems_at_once),
        cmocka_unit_test(test_many_problems_in_one_item),
        cmocka_unit_test(test_item_normalisation),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_verdict_with_full_error_list),
        cmocka_unit_test(test_validate_data_path_prefix),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
