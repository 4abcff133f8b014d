"""The project list's filter choices (competences and funding programmes of the visible
projects), cached until a project, its competences or the taxonomy change (signals connected
in ProjectsConfig.ready; rules in spinportal.versioned_cache). Measured need: two of the list's
ten queries for a logged-in member."""

from spinportal.versioned_cache import VersionedCache

PROJECT_LISTS = VersionedCache("projects:lists")
