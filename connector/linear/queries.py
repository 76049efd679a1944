"""Every GraphQL document the Linear connector sends, by operation name."""
from __future__ import annotations

from functools import lru_cache

from gql import gql
from graphql import DocumentNode

# Nested connections stay small (labels first: 20) so a 250-issue page stays well under
# Linear's 10,000-point complexity limit: https://linear.app/developers/rate-limiting
WORK_ITEM_FIELDS = """
fragment WorkItemFields on Issue {
  id identifier title url updatedAt archivedAt trashed estimate
  state { name type }
  project { id }
  assignee { id }
  labels(first: 20) { nodes { name } }
}
"""

DOCUMENTS: dict[str, str] = {
    "Viewer": """
query Viewer { viewer { id name email } organization { id name urlKey } teams(first: 1) { nodes { id } } }
""",
    "Teams": """
query Teams($first: Int!, $after: String) {
  teams(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
}
""",
    "IssuesPage": WORK_ITEM_FIELDS + """
query IssuesPage($filter: IssueFilter, $first: Int!, $after: String) {
  issues(filter: $filter, first: $first, after: $after, orderBy: updatedAt, includeArchived: true) {
    nodes { ...WorkItemFields }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    "IssueById": WORK_ITEM_FIELDS + """
query IssueById($id: String!) { issue(id: $id) { ...WorkItemFields } }
""",
    "IssueComments": """
query IssueComments($id: String!, $first: Int!, $after: String) {
  issue(id: $id) {
    id
    comments(first: $first, after: $after, orderBy: createdAt) {
      nodes { id body createdAt updatedAt user { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
""",
    "IssueRelations": """
query IssueRelations($filter: IssueFilter, $first: Int!, $after: String) {
  issues(filter: $filter, first: $first, after: $after) {
    nodes {
      id
      relations(first: 25) { nodes { type relatedIssue { id } } }
      inverseRelations(first: 25) { nodes { type issue { id } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    "IssueDiscussions": """
query IssueDiscussions($filter: IssueFilter, $first: Int!, $after: String) {
  issues(filter: $filter, first: $first, after: $after) {
    nodes {
      id
      comments(first: 50, orderBy: createdAt) { nodes { id body createdAt updatedAt user { id } } }
      relations(first: 25) { nodes { type relatedIssue { id } } }
      inverseRelations(first: 25) { nodes { type issue { id } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    "FindInitiative": """
query FindInitiative($id: ID!) { initiatives(filter: {id: {eq: $id}}, first: 1) { nodes { id name url } } }
""",
    "FindProject": """
query FindProject($id: ID!) { projects(filter: {id: {eq: $id}}, first: 1) { nodes { id name url } } }
""",
    "CreateInitiative": """
mutation CreateInitiative($input: InitiativeCreateInput!) {
  initiativeCreate(input: $input) { success initiative { id name url } }
}
""",
    "CreateProject": """
mutation CreateProject($input: ProjectCreateInput!) {
  projectCreate(input: $input) { success project { id name url } }
}
""",
    "AddProjectToInitiative": """
mutation AddProjectToInitiative($input: InitiativeToProjectCreateInput!) {
  initiativeToProjectCreate(input: $input) { success }
}
""",
    "UpdateInitiative": """
mutation UpdateInitiative($id: String!, $input: InitiativeUpdateInput!) {
  initiativeUpdate(id: $id, input: $input) { success initiative { id name url } }
}
""",
    "UpdateProject": """
mutation UpdateProject($id: String!, $input: ProjectUpdateInput!) {
  projectUpdate(id: $id, input: $input) { success project { id name url } }
}
""",
    "CreateAttachment": """
mutation CreateAttachment($input: AttachmentCreateInput!) {
  attachmentCreate(input: $input) { success attachment { id } }
}
""",
    "DeleteAttachment": """
mutation DeleteAttachment($id: String!) {
  attachmentDelete(id: $id) { success }
}
""",
    "CreateProjectUpdate": """
mutation CreateProjectUpdate($input: ProjectUpdateCreateInput!) {
  projectUpdateCreate(input: $input) { success projectUpdate { id } }
}
""",
    # projectUpdateDelete is deprecated in the published schema ("Use `projectUpdateArchive`
    # instead"), so an undone check-in's update is archived: Linear hides archived updates.
    "ArchiveProjectUpdate": """
mutation ArchiveProjectUpdate($id: String!) {
  projectUpdateArchive(id: $id) { success }
}
""",
    "CreateInitiativeUpdate": """
mutation CreateInitiativeUpdate($input: InitiativeUpdateCreateInput!) {
  initiativeUpdateCreate(input: $input) { success initiativeUpdate { id } }
}
""",
}


@lru_cache(maxsize=None)
def document(name: str) -> DocumentNode:
    """The parsed document for an operation name (parsed once per process)."""
    return gql(DOCUMENTS[name])
