"""The HTTP edge: the view, middleware, endpoints and the one GraphQL error-body builder."""
