"""Shared student-side helpers for the course: gradient checking and test assertions."""

from utils.gradcheck import GradientCheckError, GradientReport, check_backward, check_gradients
