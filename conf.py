"""Sphinx configuration of the dataetik site. The shared model lives in dataetik.siteconf."""

from dataetik.siteconf import *  # noqa: F403

project = "Dataetik i Gladsaxe Kommune"
author = "Gladsaxe Kommune"
copyright = "2026, Gladsaxe Kommune"
html_title = "Dataetik i Gladsaxe Kommune"
# Where the site is published: the annual reports' PDFs link back to it.
html_baseurl = "https://dataetik.gladsaxe.dk/"
# One generated page per year (dataetik.annual_pages); the folder is written by the build.
dataetik_annual_reports = "docs/reports/aar"
html_short_title = "Dataetik"

# The organisation's name where the site's own pages (home page, guides) say it.
myst_enable_extensions = [*myst_enable_extensions, "substitution"]  # noqa: F405
myst_substitutions = {"organisation": author}

html_theme = "pydata_sphinx_theme"
html_theme_options = {
    # The sidebar shows only the current section: the build stays linear in pages.
    "navigation_depth": 2,
    "show_nav_level": 1,
    "collapse_navigation": True,
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
    "show_prev_next": False,
    # On every page, so no reader takes an example for a real project.
    "announcement": "Et eksempel: politikken er gengivet med egne ord efter Gladsaxe Kommunes dataetiske "
                    "politik (2021), og alle projekter i registret er fiktive.",
}
# No section sidebar on project pages: it would list every project on every project
# page (quadratic build time); the register and the page's own contents serve instead.
# Traceability and reports get the full width for their wide tables and diagram.
html_sidebars = {"index": [], "policy/traceability": [], "projects/index": [], "projects/*/index": [], "docs/reports/*": [],
                 "docs/reports/aar/*": []}
html_last_updated_fmt = None
