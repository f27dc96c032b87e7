"""Tools over the model and plan: diff, graph, init."""
