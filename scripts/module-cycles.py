#!/usr/bin/env python3
"""Fails when a crate's modules import each other in a circle.

    scripts/module-cycles.py [CRATE_DIR ...]      (default: crates/web crates/cli crates/ingest)

Reads each crate's `src/` module tree (lib.rs or main.rs, `mod x;` files and inline `mod x { }`
blocks) and every path that names a module of the crate: `use crate::…`, `use super::…`,
`use self::…`, child modules by name, and the same paths written inline in code
(`crate::pdf::href(…)`). A path leads to the longest module it names; a `pub use` re-export is
followed to where the item lives, so `crate::AppState` leads to `state.rs`, not to the root.
Each file is one node; an inline module (such as `mod tests`) counts as part of its file.

A module that declares a child (`mod x;`) does not depend on it by that alone, but calling into
it (`pages::router()`) does. Prints every strongly connected set of files with one import
that closes each edge of it, and exits 1 when there is any.
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_code(text):
    """Removes comments, string and char literals, keeping line breaks for line numbers."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if text[i] == "\n":
                        out.append("\n")
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{1F600}'), or a lifetime ('a) left as it is.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{d, self}, e as f}` -> [[a, b], [a, c, d], [a, c], [a, e]]."""
    tokens = re.findall(IDENT + r"|::|[{},*]", tree)
    pos = 0

    def parse(prefix):
        nonlocal pos
        segs = list(prefix)
        paths = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok == "{":
                pos += 1
                while pos < len(tokens) and tokens[pos] != "}":
                    paths.extend(parse(segs))
                    if pos < len(tokens) and tokens[pos] == ",":
                        pos += 1
                pos += 1
                return paths
            if tok in (",", "}"):
                break
            if tok == "as":
                pos += 2  # the rename does not change what is imported
                continue
            if tok == "self" and segs and tokens[pos - 1] != "::":
                pos += 1  # `a::{self}` is `a`
            elif tok != "::":
                segs.append(tok)
                pos += 1
            else:
                pos += 1
        if segs != list(prefix) or (segs and tokens[pos - 1] == "self"):
            paths.append(segs)
        return paths

    return parse([])


class Crate:
    def __init__(self, root_dir):
        self.dir = root_dir
        src = os.path.join(root_dir, "src")
        root = os.path.join(src, "lib.rs")
        if not os.path.exists(root):
            root = os.path.join(src, "main.rs")
        self.modules = {}  # module path tuple -> file
        self.children = {}  # module path tuple -> set of child names
        self.reexports = {}  # module path tuple -> {name: absolute path list}
        self.uses = []  # (file, line, module path of the use site, path segments)
        self.aliases = {}  # module path tuple -> {name: path segments a `use` gave it}
        self.load(root, (), True)

    def add_module(self, path, file):
        self.modules[path] = file
        self.children.setdefault(path, set())
        self.reexports.setdefault(path, {})
        if path:
            self.children.setdefault(path[:-1], set()).add(path[-1])

    def load(self, file, path, owns_dir):
        """Reads one file; `owns_dir` when its children live in its own directory
        (lib.rs, main.rs, mod.rs)."""
        self.add_module(path, file)
        with open(file, encoding="utf-8") as f:
            text = strip_code(f.read())
        base = os.path.dirname(file)
        if not owns_dir:
            base = os.path.join(base, os.path.splitext(os.path.basename(file))[0])
        # Track inline modules by brace depth.
        stack = [(path, -1)]  # (module path, depth at which it closes)
        depth = 0
        token = re.compile(
            r"(?P<mod>\b(?:pub(?:\([^)]*\))?\s+)?mod\s+(?P<name>" + IDENT + r")\s*(?P<end>[;{]))"
            r"|(?P<use>\b(?P<pub>pub(?:\([^)]*\))?\s+)?use\s+(?P<tree>[^;]+);)"
            r"|(?P<path>(?<![\w:])(?:" + IDENT + r")(?:\s*::\s*" + IDENT + r")+)"
            r"|(?P<open>\{)|(?P<close>\})"
        )
        for m in token.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            here = stack[-1][0]
            if m.group("mod"):
                name = m.group("name")
                child = here + (name,)
                if m.group("end") == ";":
                    rel = os.path.join(base, *child[len(path):])
                    if os.path.exists(rel + ".rs"):
                        self.load(rel + ".rs", child, False)
                    elif os.path.exists(os.path.join(rel, "mod.rs")):
                        self.load(os.path.join(rel, "mod.rs"), child, True)
                    else:
                        sys.exit(f"{file}:{line}: `mod {name};` but neither {rel}.rs nor {rel}/mod.rs exists")
                else:
                    self.add_module(child, file)
                    depth += 1
                    stack.append((child, depth))
            elif m.group("use"):
                for segs in expand_use_tree(m.group("tree")):
                    self.uses.append((file, line, here, segs))
                    if segs[-1] != "*":
                        self.aliases.setdefault(here, {})[segs[-1]] = segs
                    if m.group("pub") and segs[-1] != "*":
                        self.reexports[here][segs[-1]] = (here, segs)
            elif m.group("path"):
                segs = [s.strip() for s in m.group("path").split("::")]
                self.uses.append((file, line, here, segs))
            elif m.group("open"):
                depth += 1
            elif m.group("close"):
                if stack[-1][1] == depth:
                    stack.pop()
                depth -= 1

    def absolute(self, here, segs):
        """The absolute module path a `use` names from module `here`, or None if external."""
        if not segs:
            return None
        first = segs[0]
        if first == "crate":
            return list(segs[1:])
        if first == "self":
            return list(here) + list(segs[1:])
        if first == "super":
            cur = list(here)
            rest = list(segs)
            while rest and rest[0] == "super":
                if not cur:
                    return None
                cur.pop()
                rest.pop(0)
            return cur + rest
        if first in self.children.get(here, ()):
            return list(here) + list(segs)
        # A module a `use` brought into scope (`use crate::routes::spiral;` then
        # `spiral::pages::x`) names what that `use` names.
        alias = self.aliases.get(here, {}).get(first)
        if alias is not None and alias != list(segs[:1]) and len(segs) > 1:
            base = self.absolute(here, alias)
            if base is not None and tuple(base) in self.modules:
                return base + list(segs[1:])
        return None

    def target(self, here, segs, seen=None):
        """The module (tuple) whose file holds what the path names."""
        path = self.absolute(here, segs)
        if path is None:
            return None
        seen = seen or set()
        module = ()
        i = 0
        while i < len(path) and module + (path[i],) in self.modules:
            module += (path[i],)
            i += 1
        if i < len(path):
            name = path[i]
            re_export = self.reexports.get(module, {}).get(name)
            key = (module, name)
            if re_export and key not in seen:
                seen.add(key)
                origin, inner = re_export
                found = self.target(origin, inner, seen)
                if found is not None:
                    return found
        return module

    def graph(self):
        edges = {}  # file -> {file: (file, line)}
        for file, line, here, segs in self.uses:
            mod = self.target(here, segs)
            if mod is None:
                continue
            dest = self.modules[mod]
            if dest == file:
                continue
            edges.setdefault(file, {}).setdefault(dest, (file, line))
        return edges


def strongly_connected(nodes, edges):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = argv or [os.path.join(repo, "crates", c) for c in ("web", "cli", "ingest")]
    failed = False
    for d in dirs:
        crate = Crate(d)
        edges = crate.graph()
        files = set(crate.modules.values())
        cycles = [sorted(c) for c in strongly_connected(files, edges) if len(c) > 1]
        name = os.path.basename(os.path.normpath(d))
        rel = lambda f: os.path.relpath(f, d)
        if not cycles:
            print(f"{name}: {len(files)} files, no import cycle")
            continue
        failed = True
        for comp in cycles:
            members = set(comp)
            print(f"{name}: import cycle of {len(comp)} files:")
            for f in comp:
                for g, (src, line) in sorted(edges.get(f, {}).items()):
                    if g in members:
                        print(f"  {rel(f)} -> {rel(g)}   ({rel(src)}:{line})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
