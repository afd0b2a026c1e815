"""JSON routers, one module per resource."""
