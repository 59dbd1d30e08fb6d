from dataetik.siteconf import *  # noqa: F403

project = "Framework fixture: a directive on automated decision-making"
