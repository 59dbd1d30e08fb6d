"""The change trail: a project approved under a requirement text that has since changed is to be
reassessed (dataetik.trail). A warning, unless the policy says a changed requirement fails
(``[settings] changed_requirement_fails = true``): a policy that changes a text by mistake
should not stop every build, but one that wants every reassessment done before use can say so.
"""

from __future__ import annotations

import dataclasses
import posixpath

from dataetik import trail
from dataetik.findings import Finding
from dataetik.i18n import N_, _
from dataetik.policy import Policy
from dataetik.rules import rule
from dataetik.rules.answers import finding


def _command(project: dict, renew: bool) -> str:
    return f"dataetik fingeraftryk {posixpath.dirname(project['docname'])}" + (" --forny" if renew else "")


def _changed(policy: Policy, project: dict, suspect: trail.Suspect) -> Finding:
    req = suspect.requirement
    diff, why = trail.what_changed(policy, suspect)
    shown = (_("What changed: {diff}").format(diff=trail.diff_as_text(diff)) if diff else
             _("The earlier text cannot be shown ({why}); the requirement now reads: {text}").format(
                 why=why, text=trail.readable_text(req.need)))
    answers = [n["id"] for t in ("consideration", "evidence", "biastest")
               for n in policy.needs.parts_of(project["id"], t) if req.id in (n.get("addresses") or [])]
    fails = bool(policy.vocabulary.settings.get("changed_requirement_fails"))
    found = finding(
        policy, suspect.approval, project,
        _("The text of the requirement '{title}' has changed since {approval} approved the project ({date}), so "
          "the project is to be reassessed. {shown}").format(
            title=req.title, approval=suspect.approval["id"], date=suspect.approval.get("date") or "?", shown=shown),
        _("Reassess the project against the new text ({answers}), and renew the approval: a new decision in a new "
          "'approval' element, whose fingerprints '{command}' records – or, where the change alters nothing in the "
          "assessment, say so in the consideration and renew the fingerprints with '{renew}'.").format(
            answers=", ".join(answers) or _("its considerations"), command=_command(project, False),
            renew=_command(project, True)),
        req.id,
    )
    return found if fails else dataclasses.replace(found, severity="warning")


@rule("changed_requirement", each="project", always=True,
      description=N_("A project that has not ended was approved under the requirement texts it must meet now: each "
                     "approval records fingerprints of the texts (dataetik fingeraftryk), and a requirement whose text "
                     "has changed since the newest approval that records it makes the project one to reassess. A "
                     "warning, or an error where the policy sets changed_requirement_fails. Where the site keeps "
                     "fingerprints, an approval without them is a warning."))
def changed_requirement(policy: Policy, project: dict, requirement: str = "") -> list[Finding]:
    found = [_changed(policy, project, s) for s in trail.suspect_requirements(policy, project)]
    unrecorded = trail.unrecorded_approval(policy, project)
    if unrecorded is not None:
        # Only a warning (and only where the site keeps a trail): an approval without one is not wrong, only unverifiable.
        bare, entry = unrecorded
        problem = (_("The fingerprints of {approval} cannot be read at '{entry}', so a later change to the requirement "
                     "texts cannot be seen.") if entry else
                   _("{approval} records no fingerprints of the requirement texts it approved, so a later change to "
                     "them cannot be seen."))
        fix = (_("Renew them with '{command}'.") if entry else
               _("Record them with '{command}' (it writes ':fingerprints:' into the approval)."))
        found.append(dataclasses.replace(finding(
            policy, bare, project, problem.format(approval=bare["id"], entry=entry),
            fix.format(command=_command(project, bool(entry))), requirement), severity="warning"))
    return found
