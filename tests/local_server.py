"""Loopback helpers for tests that start a server: a free port, and Streamlit's health
check (defined once in ``ui.launch``, which the benchmarks use too)."""

from __future__ import annotations

from ui.launch import free_port, health_ok

__all__ = ["free_port", "health_ok"]
