"""Shared student-side helpers for the course: gradient checking and test assertions."""
