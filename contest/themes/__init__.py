"""Co-creation: fans propose and vote next month's theme; the organiser selects it."""
