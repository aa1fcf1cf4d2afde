"""Sending callbacks and remembering what happened: the dispatcher (timeouts, retries,
signatures), a line per receiver URL and one socket budget (`slots`), connection pools, the
receiver deadline the mock's own stalls do not eat into, the journal of requests and
deliveries, and the inbox at `/__mock__/inbox/NAME`."""
