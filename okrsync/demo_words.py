"""What the demo's people write: check-in notes, wins, blockers and issue comments (invented).

A few blockers recur across teams in different words, so blocker grouping has something real
to find; everything else is built from parts so no sentence repeats dozens of times.
"""
from __future__ import annotations

# Recurring blockers: each theme shares its naming words ("design specs", "staging") across
# phrasings, and shows up in several teams.
BLOCKER_THEMES = {
    "design-specs": [
        "Waiting on design specs for the settings screens.",
        "Still no final settings specs from design, so the UI work is parked.",
        "Can't finish the settings pages until design signs off the specs.",
        "The settings design specs haven't landed yet; building against the old mockups.",
        "Blocked on design specs for settings again.",
    ],
    "jira-admin": [
        "Blocked by the Jira admin approving the app install.",
        "The pilot customer's Jira admin still hasn't approved our app install.",
        "Waiting for Jira admin approval before we can install the app on their site.",
        "App install is stuck with the Jira admin at two accounts.",
    ],
    "staging": [
        "Staging environment has been down since Tuesday.",
        "Staging is down again, so nothing could be verified this week.",
        "Lost two days to the staging environment falling over.",
        "Can't run the load tests while the staging environment is broken.",
    ],
    "security-review": [
        "Two contracts are waiting on the customer's security review.",
        "Security review questionnaire is holding up the Brightline deal.",
        "Blocked by security review at procurement; legal is chasing it.",
        "Still waiting on their security review before signature.",
    ],
}
# Which themes each team runs into (by team name); others see only one-off blockers.
TEAM_BLOCKERS = {
    "Design Systems": ["design-specs"], "Mobile": ["design-specs", "staging"],
    "Product Discovery": ["design-specs"], "Platform": ["staging", "jira-admin"],
    "Engineering": ["jira-admin"], "Customer Success": ["jira-admin", "security-review"],
    "Northwind Labs": ["security-review", "staging"], "Product & Design": ["design-specs"],
    "Sales": ["security-review"], "Go-to-Market": ["security-review"],
}
ONE_OFF_BLOCKERS = [
    "Half the team was out with flu.",
    "The on-call rotation ate most of the week.",
    "Vendor invoice dispute paused the tooling upgrade.",
    "Our only iOS reviewer is on holiday.",
    "Quarter-end planning took most of Thursday and Friday.",
    "Lost a day to the office network outage.",
    "Budget sign-off for the contractor is late.",
    "The analytics export broke after the vendor's API change.",
    "Conference week: half the sales team was travelling.",
    "Hiring interviews took a big share of the leads' time.",
]

OPENERS_AHEAD = ["Good week.", "Ahead of plan.", "Solid progress.", "Momentum is holding.",
                 "Better than expected.", "Nice step forward."]
OPENERS_BEHIND = ["Slower week.", "Behind where I wanted.", "Not much movement.",
                  "Rough week.", "Progress stalled a bit.", "Moving, but slowly."]
REASONS_AHEAD = [
    "the scope cut from the planning review paid off",
    "pairing on the tricky parts sped things up",
    "the new template made onboarding calls shorter",
    "two long-running items finally closed",
    "customer feedback confirmed we are on the right path",
    "we dropped a low-value task to focus",
]
REASONS_BEHIND = [
    "a production issue pulled people away",
    "reviews took longer than planned",
    "we underestimated the data clean-up",
    "priorities shifted mid-week",
    "we were waiting on answers from another team",
    "the first approach did not work and we restarted",
]
NEXT_STEPS = [
    "Next: close the remaining review comments.", "Next week we focus on the hardest part.",
    "Plan is to demo it on Friday.", "Will re-check the estimate with the team.",
    "Asking for one more pair of hands.", "Keeping the same plan.", "",
    "Will raise it in the leads sync.", "",
]
WINS = [
    "Closed the largest item of the quarter.", "A customer praised the new flow in a call.",
    "First team fully migrated.", "Shipped the fix ahead of the release train.",
    "Support tickets on this topic dropped noticeably.", "The experiment result was clear-cut.",
    "Signed a reference customer.", "Cut the review loop from days to hours.",
]
LINKED_NOTES = [
    "Linked work moves on its own; I'm confirming the status by hand.",
    "Board looks healthier after grooming.", "Most of the remaining items are small.",
    "A few items need splitting before they can close.", "Re-ordered the backlog around risk.",
    "Closed out the leftovers from last sprint.",
]
COMMENT_PARTS = [
    "Merged, thanks for the quick review!", "Pushed a fix for the flaky test.",
    "Looks good to me, one nit inline.", "Moving this to next sprint, not enough capacity.",
    "Can we split this into two smaller tickets?", "Verified on my machine, ready for QA.",
    "Added the missing migration.", "Updated the acceptance criteria after the call.",
    "No longer blocked, the environment is back.", "Pairing on this tomorrow morning.",
]
