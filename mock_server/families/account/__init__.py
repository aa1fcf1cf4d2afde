"""The account: credits, charged by every family, and the submit rate limit."""
