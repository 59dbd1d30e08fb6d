"""A page's diagrams drawn in one run of Graphviz's dot, instead of one run each.

sphinx-needs draws every needflow with a dot process of its own (``sphinx.ext.graphviz.render_dot``);
a project page has one diagram per principle, and starting dot costs more than laying out a small
graph (at 100 projects: 687 runs, about a quarter of the html build). When a page is resolved, its
diagrams are drawn together and saved where render_dot saves them, under the name it gives them;
render_dot then finds each file and starts nothing.

The pages stay the same, byte for byte: on the first page with several diagrams nothing is drawn
ahead; its diagrams are drawn together beside render_dot's own, and compared with them once
render_dot has written them. Only if every file has the name and the content render_dot gave it is drawing
ahead turned on for the rest of the build (another Graphviz, another naming in Sphinx: it stays off).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from hashlib import sha1
from pathlib import Path
from types import SimpleNamespace

from docutils import nodes
from sphinx.application import Sphinx

_STATE = "_dataetik_graph_batch"  # on the app: "unverified" (with what to compare), "on" or "off"
# dot names the graph of each SVG after the first in a run of several by its place in the run; any
# other name so marked is one we do not know, and that run's graphs are drawn alone.
_GRAPH_ID = re.compile(rb'id="page\d+,\d+_(graph\d+)"')
_PAGED = re.compile(rb'id="page\d+,\d+_')


def _flows(doctree: nodes.document) -> list[nodes.Element]:
    from sphinx_needs.directives.needflow._directive import NeedflowGraphiz

    return [n for n in doctree.findall(NeedflowGraphiz) if n.get("resolved_content")]


def target(app: Sphinx, code: str, docname: str) -> Path:
    """The file render_dot saves a needflow's SVG in: sphinx.ext.graphviz's naming, with the options
    sphinx-needs' html visitor gives it (the page's docname)."""
    options = {"docname": docname}
    key = "".join((code, str(options), str(app.config.graphviz_dot), str(app.config.graphviz_dot_args))).encode()
    name = f"needflow-{sha1(key, usedforsecurity=False).hexdigest()}.svg"
    return Path(app.builder.outdir) / app.builder.imagedir / name


def draw_together(app: Sphinx, codes: list[str], cwd: Path) -> list[bytes] | None:
    """The SVG of each graph, from one dot run; None where dot fails (each is then drawn alone, and
    render_dot reports the graph that fails)."""
    args = [app.config.graphviz_dot, *app.config.graphviz_dot_args, "-Tsvg"]
    try:
        proc = subprocess.run(args, input="\n".join(codes).encode(), capture_output=True, cwd=cwd)
    except OSError:
        return None
    svgs = [b"<?xml" + part for part in proc.stdout.split(b"<?xml")[1:]]
    if proc.returncode != 0 or len(svgs) != len(codes):
        return None
    svgs = [_GRAPH_ID.sub(rb'id="\1"', svg) for svg in svgs]
    return None if any(_PAGED.search(svg) for svg in svgs) else svgs


def _drawn(app: Sphinx, doctree: nodes.document, docname: str) -> list[tuple[Path, bytes]]:
    """(file, SVG) for each diagram of the page that is not drawn yet, drawn together."""
    wanted = {}
    for flow in _flows(doctree):
        path = target(app, flow["resolved_content"], flow.get("docname") or docname)
        if not path.is_file():
            wanted.setdefault(path, (flow["resolved_content"], flow.get("docname") or docname))
    if not wanted:
        return []
    by_folder: dict[Path, list[Path]] = {}
    for path, (_code, page) in wanted.items():  # dot runs where render_dot runs it: in the page's folder
        by_folder.setdefault((Path(app.srcdir) / page).parent, []).append(path)
    out = []
    for cwd, paths in by_folder.items():
        svgs = draw_together(app, [wanted[p][0] for p in paths], cwd)
        if svgs is None:
            continue
        out += zip(paths, svgs)
    return out


def _save(app: Sphinx, doctree: nodes.document, docname: str, path: Path, svg: bytes) -> None:
    """Save the SVG as render_dot leaves it: its links made relative to the images folder, by Sphinx's
    own function, with the page's image path (the builder sets it only when it writes the page)."""
    from sphinx.ext.graphviz import fix_svg_relative_paths
    from sphinx.util.osutil import relative_uri

    builder = SimpleNamespace(env=app.env, outdir=app.builder.outdir,
                              imgpath=relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(svg)
    fix_svg_relative_paths(SimpleNamespace(builder=builder, document=doctree), path)


def _as_saved(app: Sphinx, doctree: nodes.document, docname: str, svg: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        _save(app, doctree, docname, Path(tmp) / "graph.svg", svg)
        return (Path(tmp) / "graph.svg").read_bytes()


def _same_as_render_dot(drawn: list[tuple[Path, bytes]]) -> bool | None:
    """True when render_dot wrote every file with the same bytes; None while it has not yet."""
    if not all(path.is_file() for path, _svg in drawn):
        return None
    return all(path.read_bytes() == svg for path, svg in drawn)


def _ahead(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or app.config.graphviz_output_format != "svg":
        return
    state, pending = getattr(app, _STATE, ("unverified", []))
    if state == "unverified" and pending:
        same = _same_as_render_dot(pending)
        if same is None:
            return  # render_dot has not written them yet (pages written in parallel): drawn as before
        state, pending = ("on" if same else "off"), []
    drawn = _drawn(app, doctree, docname) if state != "off" else []
    if state == "on":
        for path, svg in drawn:
            _save(app, doctree, docname, path, svg)
    elif len(drawn) > 1:  # render_dot draws this page's diagrams itself; compared at the next page
        pending = [(path, _as_saved(app, doctree, docname, svg)) for path, svg in drawn]
    setattr(app, _STATE, (state, pending))


def _restart(app: Sphinx) -> None:
    setattr(app, _STATE, ("unverified", []))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _restart)
    # After sphinx-needs has made each needflow's dot code (doctree-resolved, 500).
    app.connect("doctree-resolved", _ahead, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
