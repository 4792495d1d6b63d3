"""Shared by the benchmark scripts: the release binary, the real corpus as exported practices,
and large practice files generated from it.

Generated practices are copies of the real fiches, so the vocabulary, lengths and structure
stay those of the booklets; each copy gets its own id and title, so every record is a new
practice.
"""

import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "zesummen")


def run(args, **kw):
    return subprocess.run(args, check=True, **kw)


def build():
    run(["cargo", "build", "--release", "--bin", "zesummen"], cwd=ROOT)


def corpus_practices(work):
    """Imports `data/corpus/` into a store under `work` and returns its practices as exported."""
    store = os.path.join(work, "corpus")
    run([BIN, "--data-dir", store, "import", os.path.join(ROOT, "data", "corpus")],
        stdout=subprocess.DEVNULL)
    exported = run([BIN, "--data-dir", store, "export", "--format", "json",
                    "--what", "practices"], capture_output=True).stdout
    return json.loads(exported)["practices"]


def communes():
    """The official commune names of `data/reference/communes-lu.tsv`, in file order."""
    path = os.path.join(ROOT, "data", "reference", "communes-lu.tsv")
    names = []
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            if header is None:
                header = cells
                continue
            names.append(cells[header.index("name")])
    return names


def copies(practices, n):
    """`n` practices: the fiches over and over, each copy's title numbered."""
    for i in range(n):
        p = dict(practices[i % len(practices)])
        copy = i // len(practices) + 1
        p["id"] = i + 1
        p["title"] = f"{p['title']} ({copy})"
        p["slug"] = f"{p['slug']}-{copy}"
        yield p


def varied(practices, n):
    """`n` practices whose facets look like a real catalogue: each copy of a fiche is placed in
    another commune and year (title and description say so), and every third round of copies
    gains one more theme from the corpus's own themes. Deterministic: two calls yield the same.

    Titles must stay distinct: the store merges the records of one file that share title and
    institution (its identity key), whatever their ids.
    """
    names = communes()
    themes = sorted({t for p in practices for t in p["themes"]})
    for i in range(n):
        base = practices[i % len(practices)]
        rnd = i // len(practices)
        # The commune cycles through all names (7 and 1 + 7 * 38 are prime to their count);
        # the year moves on once per cycle, so (commune, year) never repeats for a fiche.
        commune = names[(i * 7 + rnd) % len(names)]
        cycle = rnd // len(names)
        year = 2000 + cycle % 26
        again = f" ({cycle // 26 + 1})" if cycle >= 26 else ""
        p = dict(base)
        p["id"] = i + 1
        p["title"] = f"{base['title']} – {commune} {year}{again}"
        p["slug"] = None
        p["communes"] = [commune]
        if base["description"] is not None:
            p["description"] = f"À {commune}, depuis {year} : {base['description']}"
        if rnd % 3 == 1 and themes:
            extra = themes[(i * 5 + rnd) % len(themes)]
            if extra not in base["themes"]:
                p["themes"] = [*base["themes"], extra]
        yield p


def write_practices(path, practices):
    """Writes practices as `export --format json` does, one at a time (no list in memory)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"practices": [\n')
        for i, p in enumerate(practices):
            if i:
                out.write(",\n")
            json.dump(p, out, ensure_ascii=False)
        out.write("\n]}\n")
