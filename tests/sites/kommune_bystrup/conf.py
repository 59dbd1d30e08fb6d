from dataetik.siteconf import *  # noqa: F403

project = "Dataetik i Bystrup Kommune"
author = "Bystrup Kommune"
# Where the site is published: the national register links each project back here.
html_baseurl = "https://dataetik.bystrup.example/"
