"""What a citizen needs on a project's page: where a person reviews, how to object, how to see
one's own data (from the project, else the policy's contact), a "report an error" e-mail with the
project's ID filled in, and a graph of how the assessment hangs together.

``{projectgraph}`` (appended to every project page by dataetik.project_page) is a sphinx-needs
``needflow`` with a filter function (``project_chain``) that picks the project's considerations,
evidence, bias tests and approvals, the requirements they answer and the principles those derive
from; the alt text, made when every need is known, says what the graph shows in words.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from dataetik import model
from dataetik.i18n import Nn_, _, ngettext
from dataetik.vocabulary import Contact, Vocabulary
from dataetik.safe_markup import machinery_markup

# The project fields a citizen needs, in the order the page shows them.
CITIZEN_FIELDS = ("human_review", "how_to_object", "own_data")
# The id of the box on the project page, which the register links to.
OPTIONS_ANCHOR = "citizen-{id}"
GRAPH_CLASS = "dataetik-projectgraph"
GRAPH_STYLE = "dataetik_projectgraph"
# The link types of the chain principle <- requirement <- part (and a consideration reviewing a test).
CHAIN_LINKS = ("derives_from", "addresses", "reviews")


# --- the contact ---------------------------------------------------------------------------

def report_error_uri(contact: Contact, project_id: str, title: str) -> str:
    """mailto: the contact, with the project's ID in the subject (RFC 6068: percent-encoded UTF-8)."""
    subject = _("Error in the project register: {id}").format(id=project_id)
    body = _("Project: {title} ({id})\n\nThe error:\n").format(title=title, id=project_id)
    return f"mailto:{contact.email}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def report_error_link(vocab: Vocabulary, project_id: str, title: str) -> nodes.reference | None:
    """A "report an error" link, or None where the site declares no contact."""
    if vocab.contact is None:
        return None
    ref = nodes.reference("", "", refuri=report_error_uri(vocab.contact, project_id, title),
                          classes=["dataetik-report-error"])
    ref += nodes.inline(text=_("Report an error"))
    return ref


def has_options(vocab: Vocabulary, citizen: dict[str, str | None]) -> bool:
    """Whether a project's page has a box with a citizen's options: its own words or the contact."""
    return vocab.contact is not None or any(citizen.get(f) for f in CITIZEN_FIELDS)


def _contact_reference(app: Sphinx, fromdocname: str, contact: Contact) -> list[nodes.Node]:
    """'Byrådssekretariatet (kommunen@gladsaxe.dk)', and the contact page where the site has it."""
    email = nodes.reference("", contact.email, refuri=f"mailto:{contact.email}")
    said: list[nodes.Node] = [nodes.Text(f"{contact.name} ("), email, nodes.Text(")")]
    if contact.page and contact.page in app.env.all_docs:
        page = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(fromdocname, contact.page))
        page += nodes.inline(text=_("all the municipality's contacts"))
        said += [nodes.Text(_(", or see ")), page]
    elif contact.page.startswith("https://"):
        said += [nodes.Text(_(", or see ")), nodes.reference("", contact.page, refuri=contact.page)]
    return said


def _options_box(app: Sphinx, fromdocname: str, project: dict, vocab: Vocabulary) -> nodes.Element | None:
    """The citizen's options, below the project's card: each field in the project's own words,
    else where to ask; and the "report an error" link."""
    contact = vocab.contact
    items = nodes.definition_list(classes=["simple", "myst"])
    for name in CITIZEN_FIELDS:
        text = (project.get(name) or "").strip()
        if text:
            definition = [nodes.paragraph(text=text)]
        elif contact is not None:
            definition = [nodes.paragraph("", "", nodes.Text(_("The project does not say. Ask ")),
                                          *_contact_reference(app, fromdocname, contact), nodes.Text("."))]
        else:
            continue
        item = nodes.definition_list_item()
        item += nodes.term(text=model.field_label(name))
        item += nodes.definition("", *definition)
        items += item
    box = nodes.container(classes=["dataetik-citizen"], ids=[OPTIONS_ANCHOR.format(id=project["id"])])
    box += nodes.rubric(text=_("If the project concerns you"), **{"heading-level": 2})
    if len(items):
        box += items
    report = report_error_link(vocab, project["id"], project["title"])
    if report is not None:
        box += nodes.paragraph("", "", nodes.Text(_("Is something wrong in what we write about the project? ")),
                               report, nodes.Text(" " + _("(an e-mail to {name} with the project's ID, {id})").format(
                                   name=contact.name, id=project["id"])))
    return box if len(box) > 1 else None


# --- the graph -----------------------------------------------------------------------------

@dataclass
class Chain:
    """A project's chain: its parts, the requirements they answer, the principles behind those."""

    parts: list[dict]
    requirements: list[dict]
    principles: list[dict]

    @property
    def needs(self) -> list[dict]:
        return [*self.principles, *self.requirements, *self.parts]


# A principle argument that picks the requirements deriving from no principle.
NO_PRINCIPLE = "-"


@dataclass
class ChainIndex:
    """The needs by ID and each project's parts: built once, so a page's graphs (one per principle)
    and their filter cost a lookup each, not a pass over every need of the site."""

    by_id: dict[str, dict]
    parts: dict[str, list[dict]]

    @classmethod
    def of(cls, needs) -> "ChainIndex":
        whole = [n for n in needs if not n.get("is_part")]
        parts: dict[str, list[dict]] = {}
        for n in whole:
            if n["type"] in model.PROJECT_PARTS:
                for project_id in n.get("belongs_to") or []:
                    parts.setdefault(project_id, []).append(n)
        return cls({n["id"]: n for n in whole}, parts)


def chain(needs, project_id: str, principle_id: str = "", index: ChainIndex | None = None) -> Chain:
    """Pure: the needs a project's graph shows, from any iterable of needs (dicts); with a
    principle, only the requirements deriving from it and the parts answering those."""
    index = index or ChainIndex.of(needs)
    by_id = index.by_id
    parts = list(index.parts.get(project_id, []))

    def linked(sources: list[dict], link: str, kind: str) -> list[dict]:
        ids = dict.fromkeys(t for s in sources for t in (s.get(link) or []))
        return [by_id[i] for i in ids if i in by_id and by_id[i]["type"] == kind]

    requirements = linked(parts, "addresses", "requirement")
    principles = linked(requirements, "derives_from", "principle")
    if principle_id:
        def under(requirement: dict) -> bool:
            found = _principles_of(requirement, by_id)
            return principle_id in found or (principle_id == NO_PRINCIPLE and not found)

        requirements = [r for r in requirements if under(r)]
        principles = [p for p in principles if p["id"] == principle_id]
        wanted = {r["id"] for r in requirements}
        parts = [p for p in parts if wanted.intersection(p.get("addresses") or [])]
    return Chain(parts, requirements, principles)


def _principles_of(requirement: dict, by_id: dict) -> list[str]:
    return [i for i in requirement.get("derives_from") or [] if i in by_id and by_id[i]["type"] == "principle"]


def groups(needs, project_id: str, index: ChainIndex | None = None) -> list[tuple[dict | None, Chain]]:
    """The project's chain, one group per principle (in the policy's order), and the requirements
    deriving from none last: small graphs a reader can take in, instead of one of 90 boxes."""
    index = index or ChainIndex.of(needs)
    whole = chain(needs, project_id, index=index)
    ordered = sorted(whole.principles, key=lambda n: (n.get("docname") or "", n.get("lineno") or 0, n["id"]))
    out: list[tuple[dict | None, Chain]] = [(p, chain(needs, project_id, p["id"], index)) for p in ordered]
    orphans = chain(needs, project_id, NO_PRINCIPLE, index)
    if orphans.requirements:
        out.append((None, orphans))
    return out


def project_chain(needs, results, arg1: str = "", arg2: str = "", **kwargs) -> None:
    """A needflow ``:filter-func:``: the needs of project arg1's chain (under principle arg2)."""
    results.extend(chain(needs, arg1.strip(), arg2.strip()).needs)


_PARTS_SAID = {
    "consideration": Nn_("{n} consideration", "{n} considerations"),
    "evidence": Nn_("{n} document", "{n} documents"),
    "biastest": Nn_("{n} bias test", "{n} bias tests"),
    "approval": Nn_("{n} approval", "{n} approvals"),
}


def _enumerate(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_('and')} {items[-1]}"


def _count(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n).format(n=n)


def _parts_said(found: Chain) -> str:
    return _enumerate([_count(*_PARTS_SAID[kind], n) for kind in model.PROJECT_PARTS
                       if kind in _PARTS_SAID and (n := sum(1 for p in found.parts if p["type"] == kind))])


def summary_text(title: str, found: Chain) -> str:
    """'The project Praktikmatch answers 24 requirements from 6 principles with 20 considerations,
    3 documents, 1 bias test and 1 approval.' (plain text)."""
    return _("The project \"{title}\" answers {requirements} from {principles} with {parts}.").format(
        title=title,
        requirements=_count(*Nn_("{n} requirement", "{n} requirements"), len(found.requirements)),
        principles=_count(*Nn_("{n} principle", "{n} principles"), len(found.principles)),
        parts=_parts_said(found))


def alt_text(title: str, principle: dict | None, found: Chain) -> str:
    """One graph's alt text: what it shows, in counts, and how it is drawn (plain text)."""
    requirements = _count(*Nn_("{n} requirement", "{n} requirements"), len(found.requirements))
    said = (_("Diagram: under the principle \"{principle}\", the project \"{title}\" answers {requirements} with {parts}.")
            if principle else _("Diagram: the project \"{title}\" answers {requirements} that derive from no principle, "
                                "with {parts}.")).format(principle=principle["title"] if principle else "", title=title,
                                                          requirements=requirements, parts=_parts_said(found))
    return said + " " + _("The principle is on the left, its requirements in the middle, and what the project answers "
                          "them with on the right.")


class projectgraph(nodes.General, nodes.Element):
    """The graphs of a project's page: filled in when every need is known."""


class ProjectGraph(SphinxDirective):
    """``{projectgraph}``: the page's project, as one needflow of its chain per principle. The
    needflow is parsed here as a template; the graphs are made from it when every need is known."""

    def run(self):
        project = next((n for n in SphinxNeedsData(self.env).get_needs_mutable().values()
                        if n["type"] == "project" and n["docname"] == self.env.docname), None)
        if project is None:
            return []
        flow = "\n".join([
            "```{needflow}",
            f":filter-func: dataetik.citizen.project_chain({project['id']})",
            f":link_types: {', '.join(CHAIN_LINKS)}",
            f":config: {GRAPH_STYLE}",
            f":class: {GRAPH_CLASS}",
            "```",
        ])
        node = projectgraph(project=project["id"])
        with machinery_markup():  # a needflow is refused where an author writes it on a project's page
            node += self.parse_text_to_nodes(flow)
        return [node]


def _graph(app: Sphinx, template: nodes.Element, project: dict, principle: dict | None, found: Chain,
           serial: int, ordered: list[str]) -> nodes.Element:
    from sphinx_needs.directives.needflow._directive import NeedflowGraphiz

    from dataetik.pages import scroll_box  # not at the top: pages imports the register, which imports this module

    figure = template.deepcopy()
    figure["ids"] = [f"{i}-{serial}" for i in figure["ids"]]
    flow = next(iter(figure.findall(NeedflowGraphiz)))
    # The chain's IDs as a filter sphinx-needs answers from its index (a filter function is handed every
    # need of the site, once per graph); in the order of the site's needs, as the function gave them.
    flow["filter_func"] = None
    flow["filter"] = "id in [" + ", ".join(repr(i) for i in ordered) + "]"
    flow["target_id"] = f"{flow['target_id']}-{serial}"
    # sphinx-needs writes the alt text into the HTML as it is: escaped here.
    flow["alt"] = html.escape(alt_text(project["title"], principle, found), quote=True)
    heading = principle["title"] if principle else _("Requirements without a principle")
    box = nodes.container(classes=["dataetik-graph"])
    box += nodes.rubric(text=heading, **{"heading-level": 3})
    # A graph wider than a narrow screen scrolls in its own box.
    box += scroll_box(_("Diagram: {heading}").format(heading=heading), figure, classes=["dataetik-graph-scroll"])
    return box


def _graphs(app: Sphinx, node: projectgraph, needs) -> list[nodes.Node]:
    project = needs.get(node["project"])
    template = next(iter(node.children), None)
    if project is None or template is None:
        return []
    index = _index(app, needs)
    whole = chain((), project["id"], index=index)
    position = _positions(app, needs)
    if not whole.parts:
        return [nodes.paragraph(text=_("The project answers no requirement yet."))]
    intro = nodes.paragraph(text=" ".join([
        summary_text(project["title"], whole),
        _("Below, one diagram per principle: the principle on the left, the requirements that derive from it in the "
          "middle, and the considerations, documents, bias tests and approvals with which the project answers them "
          "on the right. Only the requirements the project answers are shown. Click a diagram to open it at full "
          "size; there, every box is a link.")]))
    grid = nodes.container(classes=["dataetik-graphs"])
    for serial, (principle, found) in enumerate(groups((), project["id"], index), start=1):
        chosen = {n["id"] for n in found.needs}
        grid += _graph(app, template, project, principle, found, serial, sorted(chosen, key=position.__getitem__))
    return [intro, grid]


def _positions(app: Sphinx, needs) -> dict[str, int]:
    """Each need's place in the build's needs (once per build, like the index below)."""
    cached = getattr(app.env, "_dataetik_need_positions", None)
    if cached is None or cached[0] is not needs:
        cached = (needs, {need_id: i for i, need_id in enumerate(needs)})
        app.env._dataetik_need_positions = cached
    return cached[1]


def _index(app: Sphinx, needs) -> ChainIndex:
    """One index per build's needs (the view is the same object for every page of a build)."""
    cached = getattr(app.env, "_dataetik_chain_index", None)
    if cached is None or cached[0] is not needs:
        cached = (needs, ChainIndex.of(needs.values()))
        app.env._dataetik_chain_index = cached
    return cached[1]


# --- filling in, when every need is known ----------------------------------------------------

def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    from dataetik.biastest.sphinx import need_nodes

    needs = SphinxNeedsData(app.env).get_needs_view()
    for node in list(doctree.findall(projectgraph)):
        node.replace_self(_graphs(app, node, needs))
    vocab = _vocabulary(app)
    for node, project in need_nodes(app, doctree, "project"):
        box = _options_box(app, fromdocname, project, vocab)
        if box is not None:
            node.parent.insert(node.parent.index(node) + 1, box)


def _vocabulary(app: Sphinx) -> Vocabulary:
    from dataetik.sphinx_ext import vocabulary_of

    return vocabulary_of(app)


def _add_graph_style(app: Sphinx, config) -> None:
    """The site's graphviz style (needs_graphviz_styles["dataetik"]), drawn right to left: the
    principle first, as a reader follows the chain, while every arrow still says "answers"."""
    styles = dict(config.needs_graphviz_styles or {})
    base = styles.get("dataetik", {})
    styles[GRAPH_STYLE] = {**base, "graph": {**base.get("graph", {}), "rankdir": "RL", "ranksep": "0.5"}}
    config.needs_graphviz_styles = styles


def _visit_needflow(self, node) -> None:
    """sphinx-needs' own html for a needflow, without the end tag it writes after an svg's <img>:
    ``</img>`` is no HTML (an img has no end tag), and a validator stops at it."""
    from sphinx_needs.directives.needflow._graphviz import html_visit_needflow_graphviz

    start = len(self.body)
    try:
        html_visit_needflow_graphviz(self, node)
    finally:
        self.body[start:] = [part.replace("></img>", ">") for part in self.body[start:]]


def setup(app: Sphinx) -> dict:
    from sphinx_needs.directives.needflow._directive import NeedflowGraphiz

    app.connect("config-inited", _add_graph_style)
    app.add_node(NeedflowGraphiz, override=True, html=(_visit_needflow, None))
    app.add_node(projectgraph)
    app.add_directive("projectgraph", ProjectGraph)
    # The register's CSV and JSON, and the line that links them.
    app.setup_extension("dataetik.register_export")
    # Before sphinx-needs (500) draws the needflows and renders the need cards.
    app.connect("doctree-resolved", _resolve, priority=450)
    app.add_css_file("citizen.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
