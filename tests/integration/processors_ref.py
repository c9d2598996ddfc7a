"""A plain Python reading of processors.md, to check the server's processors
against: each function takes the selected stats (dicts {anr, client, date,
order, data}, `order` = storage order) and returns the expected output.

Means are computed with fractions (exactly), then compared to the server's
doubles within a relative 1e-9 by `assert_close`, which also checks member
order and list order.
"""
from fractions import Fraction

STATES = ("current", "residual")
KINDS = ("informational", "operational")
LEVELS = ("Low risks", "Medium risks", "High risks")
LABELS = ("label1", "label2", "label3", "label4")


def num(v):
    return Fraction(v) if isinstance(v, str) else Fraction(v).limit_denominator(10**12)


def mean(values):
    values = list(values)
    return sum(values, Fraction(0)) / len(values) if values else None


def labels_of(obj):
    return {k: obj.get(k) or "" for k in LABELS}


def latest_per_anr(stats):
    """For each (client, ANR): its stats with the latest date (ties: the last stored)."""
    best = {}
    for s in stats:
        key = (s["client"], s["anr"])
        if key not in best or (s["date"], s["order"]) > (best[key]["date"], best[key]["order"]):
            best[key] = s
    return list(best.values())


def risk_averages(stats):
    out = {}
    for st in STATES:
        out[st] = {}
        for k in KINDS:
            out[st][k] = {}
            for i, level in enumerate(LEVELS):
                m = mean(num(s["data"]["risks"][st][k][i]["value"]) for s in stats)
                out[st][k][level] = m if m is not None else 0
    return out


def risk_averages_on_date(stats, kinds=KINDS, states=STATES):
    dates = sorted({s["date"] for s in stats})
    out = {}
    for st in STATES:
        if st not in states:
            continue
        out[st] = {}
        for k in KINDS:
            if k not in kinds:
                continue
            out[st][k] = {}
            for i, level in enumerate(LEVELS):
                out[st][k][level] = [
                    {"date": d, "value": mean(num(s["data"]["risks"][st][k][i]["value"])
                                              for s in stats if s["date"] == d)}
                    for d in dates]
    return out


def object_average_on_date(stats):
    occurrences = {}
    for s in stats:
        seen = {}
        for o in s["data"]:
            seen[o["uuid"].lower()] = o  # a uuid listed twice: the last one
        for uuid, o in seen.items():
            occurrences.setdefault(uuid, []).append((s, o))
    out = []
    for uuid in sorted(occurrences):
        occ = occurrences[uuid]
        latest = max(occ, key=lambda so: (so[0]["date"], so[0]["order"]))
        values = []
        for d in sorted({s["date"] for s, _ in occ}):
            day = [o for s, o in occ if s["date"] == d]
            values.append({"count": mean(num(o["count"]) for o in day),
                           "maxRisk": mean(num(o["maxRisk"]) for o in day),
                           "averageRate": mean(num(o["averageRate"]) for o in day),
                           "date": d})
        out.append({"object": uuid, "labels": labels_of(latest[1]), "values": values,
                    "averages": {"count": mean(num(o["count"]) for _, o in occ),
                                 "maxRisk": mean(num(o["maxRisk"]) for _, o in occ),
                                 "averageRate": mean(num(o["averageRate"]) for _, o in occ)}})
    return out


def matrix_cells(level):
    """{(row, col): count} of a matrix level, list-encoded rows or matrices included."""
    rows = enumerate(level) if isinstance(level, list) else ((int(k), v) for k, v in level.items())
    cells = {}
    for r, row in rows:
        cols = enumerate(row) if isinstance(row, list) else ((int(k), v) for k, v in row.items())
        for c, v in cols:
            cells[(int(r), int(c))] = cells.get((int(r), int(c)), 0) + int(num(v))
    return cells


def cartography_totals(stats):
    chosen = latest_per_anr(stats)
    scales = {k: sorted({int(num(v)) for s in chosen for v in s["data"]["scales"][k]})
              for k in ("impact", "probability", "likelihood")}
    risks = {}
    for st in STATES:
        risks[st] = {}
        for k in KINDS:
            total = {}
            for s in chosen:
                for cell, v in matrix_cells(s["data"]["risks"][st][k]).items():
                    total[cell] = total.get(cell, 0) + v
            matrix = {}
            for (r, c) in sorted(total):
                if total[(r, c)]:
                    matrix.setdefault(str(r), {})[str(c)] = total[(r, c)]
            risks[st][k] = matrix
    return {"analyses": len(chosen), "scales": scales, "risks": risks}


def compliance_averages(stats):
    chosen = sorted(latest_per_anr(stats), key=lambda s: s["order"])
    refs = {}
    for s in chosen:
        for ref in s["data"]:
            r = refs.setdefault(ref["referential"].lower(), {"stats": [], "cats": {}})
            r["stats"].append((s, ref))
            n = max(len(ref["current"]), len(ref["target"]))
            for i in range(n):
                cur = ref["current"][i] if i < len(ref["current"]) else None
                tgt = ref["target"][i] if i < len(ref["target"]) else None
                key = tuple(labels_of(cur or tgt).values())
                cat = r["cats"].setdefault(key, {"current": [], "target": [], "controls": 0})
                if cur is not None:
                    cat["current"].append(num(cur["value"]))
                if tgt is not None:
                    cat["target"].append(num(tgt["value"]))
                cat["controls"] = max(cat["controls"], len((cur or {}).get("controls", [])),
                                      len((tgt or {}).get("controls", [])))
    out = []
    for uuid in sorted(refs):
        r = refs[uuid]
        latest = max(r["stats"], key=lambda so: (so[0]["date"], so[0]["order"]))
        out.append({"referential": uuid, "labels": labels_of(latest[1]),
                    "analyses": len({id(s) for s, _ in r["stats"]}),
                    "categories": [{"labels": dict(zip(LABELS, key)), "current": mean(c["current"]),
                                    "target": mean(c["target"]), "controls": c["controls"]}
                                   for key, c in r["cats"].items()]})
    return out


PROCESSORS = {
    "risk_averages": ("risk", risk_averages),
    "risk_averages_on_date": ("risk", risk_averages_on_date),
    "threat_average_on_date": ("threat", object_average_on_date),
    "vulnerability_average_on_date": ("vulnerability", object_average_on_date),
    "cartography_totals": ("cartography", cartography_totals),
    "compliance_averages": ("compliance", compliance_averages),
}


def assert_close(got, want, path="data"):
    """got (parsed JSON) equals want: same members in the same order, numbers within 1e-9."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r} is not an object"
        assert list(got) == list(want), f"{path}: members {list(got)} != {list(want)}"
        for k in want:
            assert_close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, f"{path}[{i}]")
    elif want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    else:
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{path}: {got!r}"
        w = float(want)
        assert abs(got - w) <= 1e-9 * max(abs(w), 1e-300) or got == w, f"{path}: {got!r} != {w!r}"


def support(stats):
    """(analyses, organisations, newest date or None) of a set of stats."""
    analyses = {(s["client"], s["anr"]) for s in stats}
    return len(analyses), len({c for c, _ in analyses}), max((s["date"] for s in stats), default=None)


def with_public_view(answer, stats, stats_type, previous=None):
    """A processor's answer as the public routes give it with MIN_ORGANISATIONS=1
    (docs/privacy.md): every item and figure with its sample sizes appended, and
    threats and vulnerabilities with their averages over `previous` (the stats of
    the period before; None: no trend, as with last_stats)."""
    def keys(sup, with_analyses=True):
        analyses, organisations, newest = sup
        return {**({"analyses": analyses} if with_analyses else {}), "organisations": organisations,
                "data_up_to": newest}
    if stats_type in ("threat", "vulnerability"):
        trend = {}
        if previous is not None:
            before = {o["object"]: o["averages"] for o in object_average_on_date(previous)}
            trend = lambda item: {"previous": before.get(item["object"])}  # noqa: E731
        return [{**item, **(trend(item) if trend else {}),
                 **keys(support([s for s in stats if any(o["uuid"] == item["object"] for o in s["data"])]))}
                for item in answer]
    if stats_type == "compliance":
        latest = latest_per_anr(stats)
        return [{**item, **keys(support([s for s in latest if any(r["referential"] == item["referential"]
                                                                   for r in s["data"])]), False)}
                for item in answer]
    return {**answer, **keys(support(stats), stats_type != "cartography")}
