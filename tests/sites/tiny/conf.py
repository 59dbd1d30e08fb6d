from dataetik.siteconf import *  # noqa: F403

project = "Tiny policy fixture"
