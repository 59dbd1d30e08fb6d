from dataetik.siteconf import *  # noqa: F403

project = "Dataetik i Aarby Kommune"
author = "Aarby Kommune"
# Where the site is published: the national register links each project back here.
html_baseurl = "https://dataetik.aarby.example/"
