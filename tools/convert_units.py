#!/usr/bin/env python3
"""Convert the shared administrative-unit sources into the compact CSVs embedded by src/refdata.rs.

Usage (from anywhere):
    python3 tools/convert_units.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ../shared/data relative to the repository root (the parent of this
tools/ directory). The script is deterministic and re-runnable: it rewrites everything under
data/units/ and data/codes/ and fails loudly (non-zero exit) if any expected count differs.

Inputs (see each SOURCE.txt for provenance, licences and known quirks):
    admin-units/post-2025/vn_units_2025-07-01_34prov.json   state at the reform (QĐ 19/2025/QĐ-TTg)
    admin-units/post-2025/vn_units_2026-04-30_34prov.json   current state (NQ 30/2026/QH16 + 237/NQ-UBTVQH16)
    admin-units/pre-2025/vn_units_2025-03-01_63prov.json    63 provinces / 696 districts / 10,035 communes
    admin-units/mapping-2025/splits_old_to_new.json         old commune -> new commune(s)
    admin-units/mapping-2025/merges_new_to_old.json         new commune -> old communes, type full|partial
    code-lists/*.csv                                        copied unchanged

Outputs (UTF-8, NFC, trimmed, header row, codes kept as zero-padded strings, rows sorted by code):
    data/units/provinces.csv             code,name,full_name,kind,city_since
    data/units/communes.csv              code,name,full_name,kind,province_code
    data/units/commune_kind_changes.csv  code,effective_date,old_kind,new_kind
    data/units/old_provinces.csv         code,name,full_name
    data/units/old_districts.csv         code,name,full_name,kind,province_code
    data/units/old_communes.csv          code,name,full_name,kind,district_code
    data/units/old_to_new.csv            old_code,new_code,kind
    data/units/old_district_to_new.csv   district_code,new_code,kind
    data/codes/*.csv                     the five code lists, byte-for-byte copies
"""

import collections
import csv
import datetime
import io
import json
import os
import shutil
import sys
import unicodedata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_UNITS = os.path.join(REPO_ROOT, "data", "units")
OUT_CODES = os.path.join(REPO_ROOT, "data", "codes")

REFORM_DATE = "2025-07-01"  # date of the first post-2025 file (34 provinces, 3,321 communes)
CURRENT_DATE = "2026-04-30"  # date of the second post-2025 file (current state)

CODE_LISTS = [
    "consultation_modes.csv",
    "entity_types.csv",
    "proposal_statuses.csv",
    "rural_trade_groups.csv",
    "support_categories.csv",
]

# The mapping (dvhcvn/20250701) uses the GSO 1027/CTK-CSCL codes for two communes; the official
# list we ship (thanglequoc v3.0.2 / v4.2.0) uses different ones. See mapping-2025/SOURCE.txt.
MAPPING_CODE_REMAP = {
    "06970": "06978",  # Xã Ba Chẽ (Quảng Ninh)
    "23737": "23938",  # Xã Ia Mơ (Gia Lai)
}

# Old commune codes present in the mapping (taken from daohoangson/dvhcvn v20250301, 10,047 communes)
# but absent from the pre-2025 list (10,035 communes, state as of 01/03/2025). See pre-2025/SOURCE.txt.
EXTRA_OLD_CODES = set(
    "07693 07732 07744 16387 16411 18448 20176 20674 25102 25174 25177 25186".split()
)

# Prefix of FullName -> kind code. Longest prefixes first.
PROVINCE_KIND = [("Thành phố ", "thanh_pho"), ("Tỉnh ", "tinh")]
NEW_COMMUNE_KIND = {"Xã": "xa", "Phường": "phuong", "Đặc khu": "dac_khu"}
OLD_DISTRICT_KIND = [("Thành phố ", "thanh_pho"), ("Thị xã ", "thi_xa"), ("Huyện ", "huyen"), ("Quận ", "quan")]
OLD_COMMUNE_KIND = [("Thị trấn ", "thi_tran"), ("Phường ", "phuong"), ("Xã ", "xa")]


class ConversionError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise ConversionError(msg)


def expect_count(what, actual, expected):
    check(actual == expected, f"{what}: expected {expected}, got {actual}")


def clean(s):
    """NFC-normalise, trim and collapse runs of inner whitespace."""
    check(isinstance(s, str), f"expected a string, got {s!r}")
    return " ".join(unicodedata.normalize("NFC", s).split())


def kind_from_prefix(full_name, table, what):
    for prefix, kind in table:
        if full_name.startswith(prefix):
            return kind
    raise ConversionError(f"{what}: cannot tell the kind of {full_name!r}")


def load_json(base, rel):
    path = os.path.join(base, rel)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_csv(path, header, rows):
    """Write rows (sequences of str) as UTF-8 CSV with \\n line endings, minimal quoting."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for row in rows:
        check(len(row) == len(header), f"{path}: row {row!r} does not match header {header!r}")
        for cell in row:
            check(cell == clean(cell), f"{path}: cell {cell!r} is not NFC/trimmed")
        w.writerow(row)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    return len(rows)


def new_units(doc, label, fixed):
    """Provinces and communes of a 34-province file, keyed by code. Appends fixed codes to `fixed`."""
    provinces = {}
    communes = {}
    for p in doc:
        code = p["Code"]
        check(code not in provinces, f"{label}: duplicate province {code}")
        full_name = clean(p["FullName"])
        provinces[code] = {
            "code": code,
            "name": clean(p["Name"]),
            "full_name": full_name,
            "kind": kind_from_prefix(full_name, PROVINCE_KIND, label),
        }
        for w in p["Wards"]:
            wcode = w["Code"]
            check(wcode not in communes, f"{label}: duplicate commune {wcode}")
            check(w["ProvinceCode"] == code, f"{label}: commune {wcode} has province {w['ProvinceCode']} under {code}")
            short = clean(w["AdministrativeUnitShortName"])
            check(short in NEW_COMMUNE_KIND, f"{label}: commune {wcode} has unknown kind {short!r}")
            full_name = clean(w["FullName"])
            name = clean(w["Name"])
            # Known typo in the 2026-04-30 file: 06325 "xã Bắc Sơn" (lower-case x).
            if full_name[:1].islower():
                fixed_name = full_name[:1].upper() + full_name[1:]
                print(f"  fix: {label} {wcode} full_name {full_name!r} -> {fixed_name!r}")
                full_name = fixed_name
                fixed.append(wcode)
            check(full_name == f"{short} {name}", f"{label}: commune {wcode}: {full_name!r} != {short!r} + {name!r}")
            communes[wcode] = {
                "code": wcode,
                "name": name,
                "full_name": full_name,
                "kind": NEW_COMMUNE_KIND[short],
                "province_code": code,
            }
    return provinces, communes


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(REPO_ROOT, "..", "shared", "data")
    src = os.path.abspath(src)
    check(os.path.isdir(src), f"source directory not found: {src}")
    print(f"reading {src}")

    # ---------------------------------------------------------------- post-2025 (34 provinces)
    reform_doc = load_json(src, "admin-units/post-2025/vn_units_2025-07-01_34prov.json")
    current_doc = load_json(src, "admin-units/post-2025/vn_units_2026-04-30_34prov.json")
    fixed = []
    reform_prov, reform_comm = new_units(reform_doc, REFORM_DATE, fixed)
    check(fixed == [], f"unexpected lower-case full names in the {REFORM_DATE} file: {fixed}")
    prov, comm = new_units(current_doc, CURRENT_DATE, fixed)
    check(fixed == ["06325"], f"expected only the 06325 'xã Bắc Sơn' typo, fixed {fixed}")

    expect_count("provinces (2025-07-01)", len(reform_prov), 34)
    expect_count("provinces (2026-04-30)", len(prov), 34)
    expect_count("communes (2025-07-01)", len(reform_comm), 3321)
    expect_count("communes (2026-04-30)", len(comm), 3321)
    check(set(reform_prov) == set(prov), "province codes differ between the two post-2025 files")
    check(set(reform_comm) == set(comm), "commune codes differ between the two post-2025 files")

    for code, p in prov.items():
        if p["kind"] == "thanh_pho":
            p["city_since"] = REFORM_DATE if reform_prov[code]["kind"] == "thanh_pho" else CURRENT_DATE
        else:
            check(reform_prov[code]["kind"] == "tinh", f"province {code} stopped being a city")
            p["city_since"] = ""
    prov_kinds = collections.Counter(p["kind"] for p in prov.values())
    expect_count("tỉnh (2026-04-30)", prov_kinds["tinh"], 27)
    expect_count("thành phố (2026-04-30)", prov_kinds["thanh_pho"], 7)
    promoted = sorted(c for c, p in prov.items() if p["city_since"] == CURRENT_DATE)
    check(promoted == ["75"], f"expected only Đồng Nai (75) to become a city on {CURRENT_DATE}, got {promoted}")

    kinds_now = collections.Counter(c["kind"] for c in comm.values())
    kinds_reform = collections.Counter(c["kind"] for c in reform_comm.values())
    expect_count("xã (2026-04-30)", kinds_now["xa"], 2611)
    expect_count("phường (2026-04-30)", kinds_now["phuong"], 697)
    expect_count("đặc khu (2026-04-30)", kinds_now["dac_khu"], 13)
    expect_count("xã (2025-07-01)", kinds_reform["xa"], 2621)
    expect_count("phường (2025-07-01)", kinds_reform["phuong"], 687)
    expect_count("đặc khu (2025-07-01)", kinds_reform["dac_khu"], 13)

    kind_changes = []
    for code in sorted(comm):
        old_kind, new_kind = reform_comm[code]["kind"], comm[code]["kind"]
        if old_kind != new_kind:
            kind_changes.append((code, CURRENT_DATE, old_kind, new_kind))
        check(reform_comm[code]["province_code"] == comm[code]["province_code"], f"commune {code} changed province")
    expect_count("commune kind changes", len(kind_changes), 10)
    check(
        all(r[2:] == ("xa", "phuong") and comm[r[0]]["province_code"] == "75" for r in kind_changes),
        f"kind changes are not all Đồng Nai xã -> phường: {kind_changes}",
    )
    renamed = sum(
        1 for c in comm if (reform_comm[c]["name"], reform_comm[c]["kind"]) != (comm[c]["name"], comm[c]["kind"])
    )

    # ---------------------------------------------------------------- pre-2025 (63 provinces)
    pre_doc = load_json(src, "admin-units/pre-2025/vn_units_2025-03-01_63prov.json")
    old_prov, old_dist, old_comm = {}, {}, {}
    wardless = []
    for p in pre_doc:
        pcode = p["Code"]
        check(pcode not in old_prov, f"duplicate old province {pcode}")
        old_prov[pcode] = (pcode, clean(p["Name"]), clean(p["FullName"]))
        for d in p["District"]:
            dcode = d["Code"]
            check(dcode not in old_dist, f"duplicate old district {dcode}")
            check(d["ProvinceCode"] == pcode, f"old district {dcode}: province {d['ProvinceCode']} under {pcode}")
            dfull = clean(d["FullName"])
            old_dist[dcode] = (dcode, clean(d["Name"]), dfull, kind_from_prefix(dfull, OLD_DISTRICT_KIND, dcode), pcode)
            wards = d["Ward"]
            if wards is None:  # 5 island districts without communes
                wardless.append(dcode)
                continue
            for w in wards:
                wcode = w["Code"]
                check(wcode not in old_comm, f"duplicate old commune {wcode}")
                check(w["DistrictCode"] == dcode, f"old commune {wcode}: district {w['DistrictCode']} under {dcode}")
                wfull = clean(w["FullName"])
                old_comm[wcode] = (wcode, clean(w["Name"]), wfull, kind_from_prefix(wfull, OLD_COMMUNE_KIND, wcode), dcode)
    expect_count("old provinces", len(old_prov), 63)
    expect_count("old districts", len(old_dist), 696)
    expect_count("old communes", len(old_comm), 10035)
    expect_count("wardless old districts", len(wardless), 5)
    dk = collections.Counter(r[3] for r in old_dist.values())
    expect_count("old huyện", dk["huyen"], 508)
    expect_count("old thành phố", dk["thanh_pho"], 87)
    expect_count("old thị xã", dk["thi_xa"], 52)
    expect_count("old quận", dk["quan"], 49)
    ck = collections.Counter(r[3] for r in old_comm.values())
    expect_count("old xã", ck["xa"], 7692)
    expect_count("old phường", ck["phuong"], 1726)
    expect_count("old thị trấn", ck["thi_tran"], 617)

    # ---------------------------------------------------------------- mapping 2025
    splits_doc = load_json(src, "admin-units/mapping-2025/splits_old_to_new.json")
    merges_doc = load_json(src, "admin-units/mapping-2025/merges_new_to_old.json")

    def remap(code):
        return MAPPING_CODE_REMAP.get(code, code)

    # (old, new) -> full|partial, from merges. Old codes are communes (5 digits) except for the
    # five wardless island districts (3 digits), which map directly to their đặc khu.
    link_type = {}
    for p in merges_doc["data"]:
        for l2 in p["level2s"]:
            new_code = remap(l2["level2_id"])
            for o in l2["merges"]:
                key = (o["old_id"], new_code)
                check(key not in link_type, f"duplicate merge link {key}")
                check(o["type"] in ("full", "partial"), f"merge link {key}: unknown type {o['type']!r}")
                link_type[key] = o["type"]
    expect_count("merge links", len(link_type), 10604)

    # old -> [new], from splits (commune level + the island districts' level2s)
    commune_links = collections.defaultdict(list)
    district_links = collections.defaultdict(list)
    remapped = 0
    name_mismatches = 0
    for p in splits_doc["data"]:
        for l3 in p["level3s"]:
            old = l3["level3_id"]
            # Names in the mapping are NFC-normalised and trimmed before any comparison; the
            # official pre-2025 list wins (the mapping has 31 spelling variants such as "Thị Trấn").
            if old in old_comm and clean(l3["name"]) != old_comm[old][2]:
                name_mismatches += 1
            for t in l3["splits"]:
                new = remap(t["new_id"])
                remapped += new != t["new_id"]
                check(new not in commune_links[old], f"duplicate split link {old} -> {new}")
                commune_links[old].append(new)
        for l2 in p.get("level2s", []):
            for t in l2["splits"]:
                district_links[l2["level2_id"]].append(remap(t["new_id"]))

    expect_count("old codes in splits", len(commune_links), 10047)
    check(set(old_comm) <= set(commune_links), f"old communes without a mapping: {sorted(set(old_comm) - set(commune_links))[:20]}")
    extra = set(commune_links) - set(old_comm)
    check(extra == EXTRA_OLD_CODES, f"unexpected extra old codes in the mapping: {sorted(extra ^ EXTRA_OLD_CODES)}")
    check(sorted(district_links) == sorted(wardless), f"district-level links {sorted(district_links)} != wardless {wardless}")

    # Decision on the 12 extra old codes: KEPT. They are communes that had already been merged away
    # before 01/03/2025 (so they are not in old_communes.csv), but old records may still carry them;
    # keeping their single link lets such a record be migrated. Every one of them has exactly one
    # target that exists in communes.csv. Consumers must not assume old_code ∈ old_communes.csv.
    old_to_new = []
    for old in sorted(commune_links):
        for new in sorted(commune_links[old]):
            check(new in comm, f"old commune {old} maps to unknown new commune {new}")
            key = (old, new)
            check(key in link_type, f"split link {key} has no merge type")
            old_to_new.append((old, new, link_type[key]))
    district_to_new = []
    for dcode in sorted(district_links):
        for new in sorted(district_links[dcode]):
            check(new in comm and comm[new]["kind"] == "dac_khu", f"island district {dcode} -> {new} is not a đặc khu")
            district_to_new.append((dcode, new, link_type[(dcode, new)]))
    check(
        len(old_to_new) + len(district_to_new) == len(link_type),
        "splits and merges do not describe the same set of links",
    )

    targets = collections.Counter(r[0] for r in old_to_new)
    multi = sum(1 for c, n in targets.items() if n > 1 and c in old_comm)
    expect_count("old communes (pre-2025 list) split across >1 new commune", multi, 460)
    types = collections.Counter(r[2] for r in old_to_new + district_to_new)
    expect_count("full links", types["full"], 9592)
    expect_count("partial links", types["partial"], 1012)
    # Observed in this data: a single-target link is always "full", a multi-target one always "partial".
    for old, new, kind in old_to_new:
        check((kind == "partial") == (targets[old] > 1), f"link {old}->{new} is {kind} with {targets[old]} target(s)")
    check(set(comm) <= {r[1] for r in old_to_new + district_to_new}, "some new commune has no old commune")

    # ---------------------------------------------------------------- write
    n = {}
    n["provinces"] = write_csv(
        os.path.join(OUT_UNITS, "provinces.csv"),
        ["code", "name", "full_name", "kind", "city_since"],
        [(p["code"], p["name"], p["full_name"], p["kind"], p["city_since"]) for _, p in sorted(prov.items())],
    )
    n["communes"] = write_csv(
        os.path.join(OUT_UNITS, "communes.csv"),
        ["code", "name", "full_name", "kind", "province_code"],
        [(c["code"], c["name"], c["full_name"], c["kind"], c["province_code"]) for _, c in sorted(comm.items())],
    )
    n["commune_kind_changes"] = write_csv(
        os.path.join(OUT_UNITS, "commune_kind_changes.csv"),
        ["code", "effective_date", "old_kind", "new_kind"],
        kind_changes,
    )
    n["old_provinces"] = write_csv(
        os.path.join(OUT_UNITS, "old_provinces.csv"), ["code", "name", "full_name"], [r for _, r in sorted(old_prov.items())]
    )
    n["old_districts"] = write_csv(
        os.path.join(OUT_UNITS, "old_districts.csv"),
        ["code", "name", "full_name", "kind", "province_code"],
        [r for _, r in sorted(old_dist.items())],
    )
    n["old_communes"] = write_csv(
        os.path.join(OUT_UNITS, "old_communes.csv"),
        ["code", "name", "full_name", "kind", "district_code"],
        [r for _, r in sorted(old_comm.items())],
    )
    n["old_to_new"] = write_csv(os.path.join(OUT_UNITS, "old_to_new.csv"), ["old_code", "new_code", "kind"], old_to_new)
    n["old_district_to_new"] = write_csv(
        os.path.join(OUT_UNITS, "old_district_to_new.csv"), ["district_code", "new_code", "kind"], district_to_new
    )

    os.makedirs(OUT_CODES, exist_ok=True)
    code_counts = {}
    for name in CODE_LISTS:
        src_path = os.path.join(src, "code-lists", name)
        with open(src_path, encoding="utf-8", newline="") as f:
            text = f.read()
        check(text == unicodedata.normalize("NFC", text), f"{name} is not NFC")
        code_counts[name] = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
        shutil.copyfile(src_path, os.path.join(OUT_CODES, name))
    expected_codes = {
        "consultation_modes.csv": 5,
        "entity_types.csv": 5,
        "proposal_statuses.csv": 9,
        "rural_trade_groups.csv": 7,
        "support_categories.csv": 14,
    }
    for name, want in expected_codes.items():
        expect_count(name, code_counts[name], want)

    # ---------------------------------------------------------------- summary
    print("wrote data/units/:")
    for k, v in n.items():
        print(f"  {k + '.csv':<28} {v:>6} rows")
    print("copied data/codes/: " + ", ".join(f"{k} ({v})" for k, v in code_counts.items()))
    print(
        f"provinces: {prov_kinds['tinh']} tỉnh + {prov_kinds['thanh_pho']} thành phố; "
        f"cities since {CURRENT_DATE}: {', '.join(promoted)}"
    )
    print(
        f"communes {CURRENT_DATE}: {kinds_now['xa']} xã / {kinds_now['phuong']} phường / {kinds_now['dac_khu']} đặc khu; "
        f"{REFORM_DATE}: {kinds_reform['xa']} / {kinds_reform['phuong']} / {kinds_reform['dac_khu']}"
    )
    print(f"communes whose name or kind differs between {REFORM_DATE} and {CURRENT_DATE}: {renamed}")
    print(
        f"old_to_new: {len(old_to_new)} links for {len(targets)} old codes "
        f"({len(extra)} not in the pre-2025 list, kept); {multi} old communes split across >1 new commune; "
        f"{types['full']} full + {types['partial']} partial links (incl. {len(district_to_new)} island districts); "
        f"{remapped} link(s) remapped {MAPPING_CODE_REMAP}; {name_mismatches} mapping names differ from the official list"
    )
    print(f"generated {datetime.date.today().isoformat()} -- OK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (ConversionError, OSError, KeyError, ValueError) as e:
        print(f"convert_units.py: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
