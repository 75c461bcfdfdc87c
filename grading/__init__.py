"""Instructor side: release generation and grading."""
