"""Vigie's ticket fields as an import sees them: the canonical columns, the channels, the timestamp columns.

A leaf module: the profiles, the mapping and the staging all read it, and it reads nothing.
"""

CANONICAL_COLUMNS = (
    "reference", "company", "contact_name", "contact_email", "contact_phone", "user_id", "channel",
    "severity", "category", "platform", "status", "opened_at", "first_response_at", "resolved_at",
    "closed_at", "assignee", "team", "resolution_code", "description", "satisfaction",
    "contract",
)
# columns a file may lack without a warning: the source simply does not have them (empty on every row)
OPTIONAL_COLUMNS = ("satisfaction", "contract")
SATISFACTION_SCORES = (1, 5)  # a whole score from 1 (very dissatisfied) to 5 (very satisfied); empty: not surveyed
CHANNELS = ("phone", "email", "portal", "voicemail", "remote_session")
DEFAULTED_CHANNELS = ("email", "voicemail")  # a blank severity means 4 on these
TIMESTAMP_COLUMNS = ("opened_at", "first_response_at", "resolved_at", "closed_at")
ISO_HINT = "ISO 8601 expected"
