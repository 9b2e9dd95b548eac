"""Settings: the declarative table of every rule that is a number or a list, and the administrator's changes."""
