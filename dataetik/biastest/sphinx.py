"""Render each bias test's computed result on its page, right after the need.

A counts file that cannot be read is a build warning pointing at the CSV's line,
so a strict (-W) build fails and nothing half-right is published.
"""

from __future__ import annotations

import posixpath
import shutil
import urllib.parse
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.nodes import Need

from dataetik.biastest import CountsError, PolicyBias, compute, counts_path, test_head
from dataetik.biastest.render import render
from dataetik.needs_data import Needs
from dataetik.policy import Policy

logger = logging.getLogger(__name__)


def policy_of(app: Sphinx) -> Policy:
    """The policy from the resolved needs, built once per build."""
    cached = getattr(app.env, "_dataetik_policy", None)
    if cached is None:
        from dataetik.sphinx_ext import vocabulary_of  # read once, when the configuration was

        needs = dict(SphinxNeedsData(app.env).get_needs_view())
        cached = Policy.from_needs(Needs(by_id=needs, srcdir=Path(app.srcdir)), vocabulary_of(app))
        app.env._dataetik_policy = cached
    return cached


def result_for(app: Sphinx, need: dict):
    """(BiasResult, None) or (None, CountsError) for a bias test need, computed once per build:
    the project page, the register and the report all show it."""
    results = app.env.__dict__.setdefault("_dataetik_bias_results", {})
    if need["id"] not in results:
        try:
            results[need["id"]] = compute(need, Path(app.srcdir), PolicyBias.of(policy_of(app)))[1], None
        except CountsError as err:
            results[need["id"]] = None, err
    return results[need["id"]]


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def need_nodes(app: Sphinx, doctree: nodes.document, need_type: str):
    """(node, need) for each need of a type on the page: for what is shown beside its card."""
    needs = SphinxNeedsData(app.env).get_needs_view()
    for node in list(doctree.findall(Need)):
        need = needs.get(node["ids"][0]) if node["ids"] else None
        if need and need["type"] == need_type:
            yield node, need


def _render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    needs = SphinxNeedsData(app.env).get_needs_view()
    for node, need in need_nodes(app, doctree, "biastest"):
        result, error = result_for(app, need)
        if error:
            logger.warning(f"{test_head(need['id'])} {error.where}{error.problem} {error.fix}",
                           location=f"{error.path}:{error.line}", type="dataetik", subtype="biastest")
            continue
        project = needs.get((need.get("belongs_to") or [""])[0]) or {}
        stopped = policy_of(app).vocabulary.status_means(project.get("status"), "stopped")
        sections = sum(1 for parent in _ancestors(node) if isinstance(parent, nodes.section))
        markup = render(result, stopped, _publish(app, need), level=min(sections + 1, 6), key=need["id"])
        node.parent.insert(node.parent.index(node) + 1, nodes.raw("", markup, format="html"))


def _publish(app: Sphinx, need: dict) -> str | None:
    """Copy the (validated, aggregated) counts file beside the page, so anyone can recompute the
    figures from what is published; returns its address relative to the page."""
    if app.builder.format != "html":
        return None
    relative = posixpath.normpath(need["counts"])  # counts_path has checked it stays in the folder
    target = Path(app.outdir) / posixpath.dirname(need["docname"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(counts_path(need, Path(app.srcdir)), target)
    return urllib.parse.quote(relative)


def _forget_policy(app: Sphinx, env, docnames) -> None:
    env._dataetik_policy = None
    env._dataetik_bias_results = {}


def setup(app: Sphinx) -> None:
    app.connect("env-before-read-docs", _forget_policy)
    # Before sphinx-needs (priority 500) replaces its Need nodes with rendered tables;
    # the raw node inserted beside one stays where it is.
    app.connect("doctree-resolved", _render, priority=400)
