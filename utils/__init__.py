"""Shared student-side helpers for the course: gradient checking, test assertions and given functions."""

from utils.functions import sigmoid, softmax
from utils.gradcheck import GradientCheckError, GradientReport, check_backward, check_gradients
