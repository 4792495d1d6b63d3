#!/usr/bin/env python3
"""Validate the concept scheme (data/concepts/) and print its counts.

Usage: python3 scripts/check-concepts.py [--min-concepts N] [--quiet]

Checks concepts.tsv against the SPIRAL codebook and itself:
  - the header and the number of fields on every line;
  - ids are unique ASCII slugs, `top` is `yes` or empty;
  - every broader and related id exists, no concept links to itself, no broader cycle;
  - every concept that is not a top concept or a SPIRAL dimension reaches a top concept;
  - every concept has a preferred label in fr, de, lb and en; labels are clean (no `|`, tab,
    stray spaces, empty items) and not repeated within one concept and language;
  - components are well-formed codes (A01, or a dimension letter for the dimension as a whole)
    that exist in data/spiral/codebook.tsv;
  - no label is shared by two concepts in one language, unless ambiguous-labels.tsv lists it
    on purpose (those are reported as ambiguous);
  - themes-map.tsv maps every source theme to top concepts that exist.
Exits 1 and names file, line and field for every error.
"""

import argparse
import csv
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONCEPTS = ROOT / "data" / "concepts" / "concepts.tsv"
THEMES_MAP = ROOT / "data" / "concepts" / "themes-map.tsv"
AMBIGUOUS = ROOT / "data" / "concepts" / "ambiguous-labels.tsv"
CODEBOOK = ROOT / "data" / "spiral" / "codebook.tsv"

LANGS = ("fr", "de", "lb", "en")
HEADER = ["id", "top", "broader", "related", "components"] + [
    f"{kind}_{lang}" for lang in LANGS for kind in ("pref", "alt")
]
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A component (letter and two digits) or a bare dimension letter: the codebook has no X00 row
# for every dimension, and a concept such as "associations" belongs to dimension C as a whole.
CODE_RE = re.compile(r"^[A-Z](?:\d{2})?$")
SPIRAL_ID_RE = re.compile(r"^spiral-[a-z](?:\d{2})?$")


class Report:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, path, line, field, message):
        self.errors.append(f"{path.relative_to(ROOT)}:{line}: {field}: {message}")

    def warn(self, path, line, field, message):
        self.warnings.append(f"{path.relative_to(ROOT)}:{line}: {field}: {message}")


def same_form(label):
    """Within one concept, labels differing only in case or spacing are repeats. Accents count
    there: Sozialladen and Sozialläden, Letzebuergesch and Lëtzebuergesch are both wanted."""
    return " ".join(label.casefold().replace("’", "'").split())


def fold(label):
    """Across concepts, search folds accents too, so labels that differ only in accents collide."""
    decomposed = unicodedata.normalize("NFKD", same_form(label))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_tsv(path, report):
    """Rows of a TSV file as (line number, list of fields), skipping `#` comments and blank lines."""
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        report.error(path, 0, "file", "missing")
        return rows
    except UnicodeDecodeError as exc:
        report.error(path, 0, "file", f"not UTF-8 ({exc})")
        return rows
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            report.error(path, number, "line", "CRLF line ending; expected LF")
            line = line[:-1]
        if not line.strip() or line.startswith("#"):
            continue
        rows.append((number, line.split("\t")))
    return rows


def load_codebook(report):
    codes = {}
    rows = read_tsv(CODEBOOK, report)
    if not rows:
        return codes
    header = rows[0][1]
    for number, fields in rows[1:]:
        row = dict(zip(header, fields))
        codes[row["code"]] = row
    return codes


def split_list(value):
    return [item for item in value.split("|")] if value else []


def check_labels(report, number, field, values):
    """Clean labels: no empty item, no stray spaces, no tab or pipe (the splitter ate those)."""
    for value in values:
        if value == "":
            report.error(CONCEPTS, number, field, "empty label between `|` separators")
        elif value != value.strip() or "  " in value:
            report.error(CONCEPTS, number, field, f"label {value!r} has stray spaces")
        elif unicodedata.normalize("NFC", value) != value:
            report.error(CONCEPTS, number, field, f"label {value!r} is not in Unicode NFC")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-concepts", type=int, default=400)
    parser.add_argument("--quiet", action="store_true", help="print errors and the summary only")
    args = parser.parse_args()

    report = Report()
    codebook = load_codebook(report)
    rows = read_tsv(CONCEPTS, report)
    if not rows:
        report.error(CONCEPTS, 1, "file", "no header and no concepts")
        return finish(report)

    header_line, header = rows[0]
    if header != HEADER:
        report.error(CONCEPTS, header_line, "header", "expected " + "\t".join(HEADER))
        return finish(report)

    concepts = {}
    line_of = {}
    for number, fields in rows[1:]:
        if len(fields) != len(HEADER):
            report.error(
                CONCEPTS, number, "line", f"{len(fields)} fields; expected {len(HEADER)}"
            )
            continue
        row = dict(zip(HEADER, fields))
        cid = row["id"]
        if not ID_RE.match(cid):
            report.error(CONCEPTS, number, "id", f"{cid!r} is not an ASCII slug (a-z, 0-9, -)")
        if cid in concepts:
            report.error(CONCEPTS, number, "id", f"{cid!r} repeats line {line_of[cid]}")
            continue
        if row["top"] not in ("", "yes"):
            report.error(CONCEPTS, number, "top", f"{row['top']!r}; expected `yes` or empty")
        concepts[cid] = row
        line_of[cid] = number

    # Links.
    broader = {}
    for cid, row in concepts.items():
        number = line_of[cid]
        broader[cid] = split_list(row["broader"])
        related = split_list(row["related"])
        for field, targets in (("broader", broader[cid]), ("related", related)):
            if len(set(targets)) != len(targets):
                report.error(CONCEPTS, number, field, "an id is listed twice")
            for target in targets:
                if target == cid:
                    report.error(CONCEPTS, number, field, "a concept cannot link to itself")
                elif target not in concepts:
                    report.error(CONCEPTS, number, field, f"unknown concept id {target!r}")
        both = set(broader[cid]) & set(related)
        if both:
            report.error(
                CONCEPTS, number, "related", f"{sorted(both)} also broader; keep one link"
            )
        if row["top"] == "yes" and broader[cid]:
            report.error(CONCEPTS, number, "broader", "a top concept has no broader concept")

    # No broader cycle (depth-first, colouring nodes).
    state = {}

    def visit(cid, path):
        state[cid] = "open"
        for parent in broader.get(cid, []):
            if parent not in concepts:
                continue
            if state.get(parent) == "open":
                cycle = path[path.index(parent):] + [parent]
                report.error(
                    CONCEPTS, line_of[cid], "broader", f"cycle: {' -> '.join(cycle)}"
                )
            elif parent not in state:
                visit(parent, path + [parent])
        state[cid] = "done"

    for cid in concepts:
        if cid not in state:
            visit(cid, [cid])

    tops = [cid for cid, row in concepts.items() if row["top"] == "yes"]
    if not tops:
        report.error(CONCEPTS, header_line, "top", "no top concept (theme)")

    def tops_of(cid, seen=None):
        seen = seen if seen is not None else set()
        if cid in seen:
            return set()
        seen.add(cid)
        if concepts[cid]["top"] == "yes":
            return {cid}
        found = set()
        for parent in broader[cid]:
            if parent in concepts:
                found |= tops_of(parent, seen)
        return found

    under_top = {cid: tops_of(cid) for cid in concepts}
    for cid in concepts:
        # The SPIRAL dimensions and components form their own tree beside the themes.
        if not under_top[cid] and not SPIRAL_ID_RE.match(cid):
            report.error(
                CONCEPTS, line_of[cid], "broader", f"{cid!r} reaches no top concept (theme)"
            )

    # Components.
    for cid, row in concepts.items():
        number = line_of[cid]
        codes = split_list(row["components"])
        if len(set(codes)) != len(codes):
            report.error(CONCEPTS, number, "components", "a code is listed twice")
        for code in codes:
            if not CODE_RE.match(code):
                report.error(
                    CONCEPTS,
                    number,
                    "components",
                    f"{code!r}: expected a dimension letter and two digits (A01) or a letter (C)",
                )
            elif code not in codebook:
                report.error(
                    CONCEPTS, number, "components", f"{code!r} is not in data/spiral/codebook.tsv"
                )
        if SPIRAL_ID_RE.match(cid):
            code = cid.removeprefix("spiral-").upper()
            entry = codebook.get(code)
            if entry is None:
                report.error(CONCEPTS, number, "id", f"{cid!r}: no code {code} in the codebook")
            elif not entry.get("label_en"):
                report.error(
                    CONCEPTS, number, "id", f"{cid!r}: code {code} has no label; make no concept"
                )
            if codes != [code]:
                report.error(CONCEPTS, number, "components", f"{cid!r} must map to {code} alone")
            if entry and entry["level"] == "component":
                dimension = f"spiral-{entry['dimension'].lower()}"
                if dimension not in broader[cid]:
                    report.error(CONCEPTS, number, "broader", f"expected {dimension!r}")

    # Labels.
    owners = {lang: defaultdict(list) for lang in LANGS}
    alt_counts = {lang: 0 for lang in LANGS}
    field_alt_counts = {lang: 0 for lang in LANGS}
    for cid, row in concepts.items():
        number = line_of[cid]
        for lang in LANGS:
            pref = row[f"pref_{lang}"]
            alts = split_list(row[f"alt_{lang}"])
            if not pref.strip():
                report.error(CONCEPTS, number, f"pref_{lang}", "missing preferred label")
                continue
            check_labels(report, number, f"pref_{lang}", [pref])
            check_labels(report, number, f"alt_{lang}", alts)
            alt_counts[lang] += len(alts)
            if not SPIRAL_ID_RE.match(cid):
                field_alt_counts[lang] += len(alts)
            seen = {}
            folded = set()
            for label in [pref] + alts:
                key = same_form(label)
                if key in seen:
                    report.error(
                        CONCEPTS,
                        number,
                        f"alt_{lang}",
                        f"{label!r} repeats {seen[key]!r} in the same concept",
                    )
                    continue
                seen[key] = label
                if fold(label) not in folded:
                    folded.add(fold(label))
                    owners[lang][fold(label)].append((cid, label))

    ambiguous = {}
    for number, fields in read_tsv(AMBIGUOUS, report)[1:]:
        if len(fields) != 3:
            report.error(AMBIGUOUS, number, "line", "expected lang, label, note")
            continue
        lang, label, note = fields
        if lang not in LANGS:
            report.error(AMBIGUOUS, number, "lang", f"{lang!r}; expected one of {LANGS}")
        if not note.strip():
            report.error(AMBIGUOUS, number, "note", "say why the label is shared")
        ambiguous[(lang, fold(label))] = (number, label)

    shared = []
    for lang in LANGS:
        for key, holders in sorted(owners[lang].items()):
            if len(holders) < 2:
                continue
            ids = [cid for cid, _ in holders]
            text = f"{lang} {holders[0][1]!r}: {', '.join(ids)}"
            if (lang, key) in ambiguous:
                shared.append(text)
            else:
                report.error(
                    CONCEPTS,
                    line_of[ids[1]],
                    f"{lang} labels",
                    f"{holders[0][1]!r} is a label of {', '.join(ids)}; give it to one concept "
                    "or list it in ambiguous-labels.tsv",
                )
    for (lang, key), (number, label) in ambiguous.items():
        if len(owners.get(lang, {}).get(key, [])) < 2:
            report.warn(AMBIGUOUS, number, "label", f"{lang} {label!r} is no longer shared")

    # Themes map.
    mapped = defaultdict(set)
    map_rows = read_tsv(THEMES_MAP, report)
    if map_rows:
        if map_rows[0][1] != ["source_theme", "concept"]:
            report.error(THEMES_MAP, map_rows[0][0], "header", "expected 'source_theme\\tconcept'")
        for number, fields in map_rows[1:]:
            if len(fields) != 2:
                report.error(THEMES_MAP, number, "line", f"{len(fields)} fields; expected 2")
                continue
            source, target = fields
            if not source.strip() or source != source.strip():
                report.error(THEMES_MAP, number, "source_theme", f"{source!r} is empty or padded")
            if target not in concepts:
                report.error(THEMES_MAP, number, "concept", f"unknown concept id {target!r}")
            elif concepts[target]["top"] != "yes":
                report.error(THEMES_MAP, number, "concept", f"{target!r} is not a top concept")
            if target in mapped[source]:
                report.error(THEMES_MAP, number, "line", "repeats an earlier row")
            mapped[source].add(target)

    if len(concepts) < args.min_concepts:
        report.error(
            CONCEPTS, header_line, "file", f"{len(concepts)} concepts; at least {args.min_concepts}"
        )

    if tops and not 15 <= len(tops) <= 25:
        report.warn(CONCEPTS, header_line, "top", f"{len(tops)} top concepts; 15 to 25 expected")

    # Counts.
    field = [cid for cid in concepts if not SPIRAL_ID_RE.match(cid)]
    print(
        f"concepts: {len(concepts)} ({len(tops)} top concepts, {len(field)} field concepts, "
        f"{len(concepts) - len(field)} SPIRAL dimensions and components)"
    )
    print("labels per language (preferred + alternative; alternatives per field concept):")
    for lang in LANGS:
        total = len(concepts) + alt_counts[lang]
        print(
            f"  {lang}: {total:5d} labels, "
            f"{field_alt_counts[lang] / max(len(field), 1):.1f} alt/field concept"
        )
    print("concepts per top concept (each concept counts under every theme it reaches):")
    for top in tops:
        count = sum(1 for cid in concepts if top in under_top[cid])
        print(f"  {top:32s} {count:4d}  {concepts[top]['pref_en']}")
    outside = [cid for cid in concepts if not under_top[cid]]
    print(f"  {'(SPIRAL codebook, no theme)':32s} {len(outside):4d}")
    codes_used = {c for r in concepts.values() for c in split_list(r["components"])}
    mapped_field = sum(1 for cid in field if concepts[cid]["components"])
    print(f"SPIRAL codes used: {len(codes_used)}; field concepts mapped to a code: {mapped_field}")
    print(f"themes map: {len(mapped)} source themes")
    if not args.quiet:
        print(f"ambiguous labels (listed on purpose): {len(shared)}")
        for text in shared:
            print(f"  {text}")
    return finish(report)


def finish(report):
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if report.errors:
        print(f"{len(report.errors)} error(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
