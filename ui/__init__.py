"""Streamlit-side helpers: cached data access and rendering pieces shared by pages."""
