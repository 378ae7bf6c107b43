"""The server-rendered pages, one blueprint per area."""
