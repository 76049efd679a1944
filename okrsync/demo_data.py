"""The demo company's people, teams and OKRs (invented; any likeness is chance)."""
from __future__ import annotations

COMPANY = "Northwind Labs"

# department -> teams (each with a Jira project key for its tracker home)
DEPARTMENTS = {
    "Engineering": [("Platform", "PLAT"), ("Mobile", "MOB")],
    "Product & Design": [("Product Discovery", "DISC"), ("Design Systems", "DSGN")],
    "Go-to-Market": [("Sales", "SALES"), ("Customer Success", "CS")],
}

PEOPLE = [
    ("Ada Okafor", None, "admin"), ("Ben Carter", "Engineering", "lead"),
    ("Chloé Martin", "Platform", "lead"), ("Dev Patel", "Platform", "member"),
    ("Elena Rossi", "Platform", "member"), ("Farid Haddad", "Mobile", "lead"),
    ("Grace Kim", "Mobile", "member"), ("Hugo Lindqvist", "Mobile", "member"),
    ("Imani Brooks", "Product & Design", "lead"), ("Jonas Weber", "Product Discovery", "lead"),
    ("Keiko Tanaka", "Product Discovery", "member"), ("Liam O'Neill", "Design Systems", "lead"),
    ("Maya Singh", "Design Systems", "member"), ("Nora Alvarez", "Go-to-Market", "lead"),
    ("Omar Farouk", "Sales", "lead"), ("Priya Nair", "Sales", "member"),
    ("Quinn Murphy", "Customer Success", "lead"), ("Rosa Jimenez", "Customer Success", "member"),
    ("Sam Osei", "Customer Success", "member"), ("Tara Novak", "Sales", "member"),
]

# (key, title, level, team, owner, parent key, [(kr title, measure, start, target, unit)])
OBJECTIVES = [
    ("C1", "Become the default OKR tool for engineering-led companies", "company", COMPANY,
     "Ada Okafor", None, [
         ("Grow paying workspaces from 120 to 300", "manual", 120, 300, "workspaces"),
         ("Raise weekly active teams from 40% to 65%", "manual", 40, 65, "%"),
     ]),
    ("C2", "Run a platform customers never have to think about", "company", COMPANY,
     "Ada Okafor", None, [
         ("Hold 99.95% monthly uptime", "manual", 99.5, 99.95, "%"),
         ("Cut P1 incidents from 8 to 2 a month", "manual", 8, 2, "incidents"),
         ("Keep the support backlog under 50 tickets", "manual", 140, 50, "tickets"),
     ]),
    ("D1", "Ship the tracker integrations teams ask for", "department", "Engineering",
     "Ben Carter", "C1", [
         ("Deliver the Jira sync epic", "work_done_ratio", 0, 100, "%"),
         ("Close 40 integration stories", "done_count", 0, 40, "stories"),
         ("Reach 25 teams syncing Linear daily", "manual", 0, 25, "teams"),
     ]),
    ("D2", "Make onboarding self-serve", "department", "Product & Design", "Imani Brooks", "C1", [
         ("Raise trial-to-paid conversion from 9% to 15%", "manual", 9, 15, "%"),
         ("Cut time to first OKR from 3 days to 1 hour", "manual", 72, 1, "hours"),
         ("Finish the onboarding checklist work", "points_done_ratio", 0, 100, "%"),
     ]),
    ("D3", "Win and keep mid-market customers", "department", "Go-to-Market", "Nora Alvarez",
     "C1", [
         ("Close $1.2M in new ARR", "manual", 0, 1200, "k$"),
         ("Lift net revenue retention from 104% to 112%", "manual", 104, 112, "%"),
         ("Sign 12 customers with 100+ employees", "manual", 0, 12, "customers"),
     ]),
    ("T1", "A sync engine that never loses an update", "team", "Platform", "Chloé Martin", "C2", [
         ("Finish the reconcile engine work", "points_done_ratio", 0, 100, "%"),
         ("Reduce open sync bugs from 14 to 2", "item_count", 14, 2, "bugs"),
         ("Bring webhook p99 latency from 180 ms to 50 ms", "manual", 180, 50, "ms"),
     ]),
    ("T2", "Scale the API for 10x more workspaces", "team", "Platform", "Dev Patel", "D1", [
         ("Complete the API pagination stories", "work_done_ratio", 0, 100, "%"),
         ("Serve the OKR tree in under 100 ms at p99", "manual", 420, 100, "ms"),
         ("Migrate 100% of tenants to PostgreSQL 16", "manual", 20, 100, "%"),
     ]),
    ("T3", "Delight people checking in from their phones", "team", "Mobile", "Farid Haddad",
     "D1", [
         ("Raise mobile check-ins from 10% to 35% of all", "manual", 10, 35, "%"),
         ("Ship the offline check-in stories", "work_done_ratio", 0, 100, "%"),
         ("Keep crash-free sessions above 99.5%", "manual", 98.7, 99.5, "%"),
     ]),
    ("T4", "Learn what makes teams stick in week one", "team", "Product Discovery",
     "Jonas Weber", "D2", [
         ("Interview 30 customers about their first week", "manual", 0, 30, "interviews"),
         ("Run 6 onboarding experiments", "done_count", 0, 6, "experiments"),
         ("Raise day-7 retention from 35% to 50%", "manual", 35, 50, "%"),
     ]),
    ("T5", "One design language across web, Jira and Linear", "team", "Design Systems",
     "Liam O'Neill", "D2", [
         ("Move 80% of screens to the new components", "manual", 15, 80, "%"),
         ("Cut accessibility issues from 40 to 5", "item_count", 40, 5, "issues"),
         ("Launch the panel theme", "manual", 0, 1, ""),
     ]),
    ("T6", "Build a repeatable mid-market pipeline", "team", "Sales", "Omar Farouk", "D3", [
         ("Book 90 qualified demos", "manual", 0, 90, "demos"),
         ("Raise win rate from 22% to 30%", "manual", 22, 30, "%"),
         ("Shorten sales cycle from 62 to 45 days", "manual", 62, 45, "days"),
     ]),
    ("T7", "Make every customer successful in 30 days", "team", "Customer Success",
     "Quinn Murphy", "D3", [
         ("Onboard 100% of new accounts within 30 days", "manual", 60, 100, "%"),
         ("Raise CSAT from 86% to 93%", "manual", 86, 93, "%"),
         ("Cut first response time from 6 h to 1 h", "manual", 6, 1, "hours"),
     ]),
]
