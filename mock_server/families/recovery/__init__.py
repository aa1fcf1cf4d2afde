"""Recovery Audio: a music task's audio fetched again. Its rules are a job kind in the jobs
backend; this folder declares its routes and handlers."""
