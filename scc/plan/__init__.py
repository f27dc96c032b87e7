"""Stage plan: the model -> everything resolved once (calls, routes, ordering, network edges)."""
