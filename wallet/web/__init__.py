"""HTTP: the FastAPI app factory, dependencies, JSON routers (api/) and pages (pages/)."""
