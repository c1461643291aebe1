"""Shared helpers for the problem-bank tests: a fake code runner and grading shortcuts."""
