"""The Fluxion operator's dashboard: a gateway (Starlette, uvicorn) between fluxiond and a web page.

Run it with `python -m fluxion_dashboard --server HOST:PORT` (or `make dashboard`); docs/DASHBOARD.md.
"""
