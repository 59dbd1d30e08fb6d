from dataetik.siteconf import *  # noqa: F403

project = "Principles fixture: principles and actions, no risk levels or approvals"
